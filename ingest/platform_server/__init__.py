"""A local stand-in for the platforms' open APIs, serving the simulator's world (tests, bench).

One ASGI app (`app.build_app`) answers as Taobao TOP, JD JOS, Pinduoduo, WeChat shop and U8
OpenAPI would: their envelopes, paging and sorting, signatures checked and bad ones refused
with the platform's error, window and page limits enforced, and faults injected on demand.
`serve.LocalPlatformServer` runs it under uvicorn on 127.0.0.1.
"""
