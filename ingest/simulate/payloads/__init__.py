"""Payload renderers: turn an OrderPlan into the JSON text each source sends (PAYLOADS.md).

Payloads are assembled from pre-formatted pieces rather than `json.dumps` per version (the
simulator must stay fast); the result is byte-identical to
`json.dumps(obj, ensure_ascii=False, separators=(",", ":"))` of the same object, which the
tests check. Every interpolated text is digits, a fixed ASCII/Chinese token or catalogue text
that needs no JSON escaping.
"""
