"""Payload renderers: turn an OrderPlan into the JSON text each source sends (docs/payloads.md).

Payloads are assembled from pre-formatted pieces rather than `json.dumps` per version (the
simulator must stay fast); the result is byte-identical to
`json.dumps(obj, ensure_ascii=False, separators=(",", ":"))` of the same object, which the
tests check. Every interpolated text is digits, a fixed ASCII/Chinese token or catalogue text
that needs no JSON escaping.
"""

from __future__ import annotations

from collections.abc import Callable

from ingest.simulate.ids import NativeIds
from ingest.simulate.lifecycle import OrderPlan
from ingest.simulate.payloads import jd, pdd, taobao, wechat

Renderer = Callable[[OrderPlan, NativeIds], list[tuple[int, str]]]

# platform source name -> renderer of that platform's order versions
PLATFORM_RENDERERS: dict[str, Renderer] = {
    "taobao": taobao.render,
    "jd": jd.render,
    "pdd": pdd.render,
    "wechat": wechat.render,
}
