"""The envelopes each source's APIs wrap their objects in, and unwrapping a response to its objects.

A saved response (or one just received) is unwrapped to one object per raw row; the object is
kept exactly as the API sent it. What is not an object of the source (an error response, an
unknown layout) comes out as a `Refused` with the reason, to be kept in
`raw.rejected_payloads`: nothing is dropped. Envelopes are listed in docs/imports.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from domain.sources import Source
from ingest import exact_json


@dataclass(frozen=True)
class Envelope:
    """Where an API's response keeps its objects: keys from the root to an object or a list."""

    api: str
    path: tuple[str, ...]


ENVELOPES: dict[str, tuple[Envelope, ...]] = {
    "taobao": (
        Envelope(
            "taobao.trades.sold.increment.get",
            ("trades_sold_increment_get_response", "trades", "trade"),
        ),
        Envelope("taobao.trades.sold.get", ("trades_sold_get_response", "trades", "trade")),
        Envelope("taobao.trade.fullinfo.get", ("trade_fullinfo_get_response", "trade")),
        Envelope(
            "聚石塔 RDS jdp_response", ("jdp_response", "trade_fullinfo_get_response", "trade")
        ),
    ),
    "jd": (
        Envelope(
            "jingdong.pop.order.search",
            ("jingdong_pop_order_search_responce", "searchorderinfo_result", "orderInfoList"),
        ),
        Envelope(
            "jingdong.pop.order.enSearch",
            ("jingdong_pop_order_enSearch_responce", "searchorderinfo_result", "orderInfoList"),
        ),
        Envelope(
            "jingdong.pop.order.get",
            ("jingdong_pop_order_get_responce", "orderDetailInfo", "orderInfo"),
        ),
    ),
    "pdd": (
        Envelope(
            "pdd.order.number.list.increment.get",
            ("order_sn_increment_get_response", "order_sn_list"),
        ),
        Envelope("pdd.order.list.get", ("order_list_get_response", "order_list")),
        Envelope("pdd.order.information.get", ("order_info_get_response", "order_info")),
    ),
    "wechat": (Envelope("channels/ec/order/get", ("order",)),),
    "u8": (
        Envelope("saleorder/get", ("saleorder",)),
        Envelope("saleorderlist/batch_get", ("saleorderlist",)),
    ),
    "ledger": (),
    "taobao_refunds": (
        Envelope(
            "taobao.refunds.receive.get",
            ("refunds_receive_get_response", "refunds", "refund"),
        ),
        Envelope("taobao.refund.get", ("refund_get_response", "refund")),
    ),
    "jd_refunds": (
        Envelope(
            "jingdong.pop.afs.soa.refundapply.queryPageList",
            ("jingdong_pop_afs_soa_refundapply_queryPageList_responce", "queryResult", "result"),
        ),
        Envelope(
            "jingdong.pop.afs.soa.refundapply.queryById",
            ("jingdong_pop_afs_soa_refundapply_queryById_responce", "queryResult", "result"),
        ),
    ),
    "pdd_refunds": (
        Envelope(
            "pdd.refund.list.increment.get",
            ("refund_increment_get_response", "refund_list"),
        ),
    ),
    "wechat_refunds": (Envelope("channels/ec/aftersale/getaftersaleorder", ("after_sale_order",)),),
}

# Fields that carry an API's error code and message, across the platforms' error shapes.
_ERROR_FIELDS = (
    "code",
    "msg",
    "sub_code",
    "sub_msg",
    "error_code",
    "error_msg",
    "zh_desc",
    "en_desc",
    "errcode",
    "errmsg",
)
_SUCCESS_CODES = {0, "0"}


@dataclass(frozen=True)
class Unwrapped:
    """One object of the source, as the API sent it."""

    native_id: str | None
    payload: str
    api: str  # the API whose envelope held it, or "object" when it came bare


@dataclass(frozen=True)
class Refused:
    """Something that is not an object of the source, with the reason; kept, never dropped."""

    payload: str
    reason: str
    native_id: str | None = None  # when known (an export row's order number)


def unwrap(source: Source, value: Any) -> Iterator[Unwrapped | Refused]:
    """The source's objects in one saved value: a response, a bare object, or a list of either."""
    if isinstance(value, list):
        for item in value:
            yield from _unwrap_one(source, item)
    else:
        yield from _unwrap_one(source, value)


def _unwrap_one(source: Source, value: Any) -> Iterator[Unwrapped | Refused]:
    if not isinstance(value, dict):
        yield Refused(exact_json.dumps(value), f"not an object: a JSON {_kind(value)}")
        return
    error = error_of(value)
    if error:
        yield Refused(exact_json.dumps(value), f"error response: {error}")
        return
    for envelope in ENVELOPES[source.name]:
        found, inner = _walk(value, envelope.path)
        if found:
            yield from _objects(source, inner, envelope)
            return
    if source.native_id_field in value:
        yield _object(source, value, "object")
        return
    apis = ", ".join(envelope.api for envelope in ENVELOPES[source.name]) or "none"
    keys = ", ".join(sorted(value)[:8])
    yield Refused(
        exact_json.dumps(value),
        f"unknown layout: no {source.native_id_field} and no {source.label} envelope "
        f"({apis}); top-level keys: {keys}",
    )


def error_of(response: dict[str, Any]) -> str | None:
    """The error an API response reports, as "code: message" text; None for a success."""
    body = response.get("error_response")
    if isinstance(body, dict):
        return _error_text(body) or "error_response without a message"
    if "errcode" in response and response["errcode"] not in _SUCCESS_CODES:
        return _error_text(response)
    for envelope in response.values():
        result = envelope.get("searchorderinfo_result") if isinstance(envelope, dict) else None
        api_result = result.get("apiResult") if isinstance(result, dict) else None
        if isinstance(api_result, dict) and api_result.get("success") is False:
            return _error_text(
                {
                    "code": api_result.get("numberCode"),
                    "msg": api_result.get("chineseErrCode") or api_result.get("englishErrCode"),
                }
            )
        query = envelope.get("queryResult") if isinstance(envelope, dict) else None
        if isinstance(query, dict) and query.get("success") is False:  # JD after-sale queries
            return (
                _error_text({"code": query.get("resultCode"), "msg": query.get("resultDescribe")})
                or "queryResult success false"
            )
    return None


def _error_text(body: dict[str, Any]) -> str:
    return ", ".join(
        f"{name}={body[name]}" for name in _ERROR_FIELDS if body.get(name) not in (None, "")
    )


def _walk(value: Any, path: tuple[str, ...]) -> tuple[bool, Any]:
    for key in path:
        if isinstance(value, str) and value.lstrip().startswith("{"):
            try:
                value = exact_json.loads(value)  # jdp_response carries the response as text
            except ValueError:
                return False, None
        if not isinstance(value, dict) or key not in value:
            return False, None
        value = value[key]
    return True, value


def _objects(source: Source, inner: Any, envelope: Envelope) -> Iterator[Unwrapped | Refused]:
    items = inner if isinstance(inner, list) else [inner]
    for item in items:
        if isinstance(item, dict):
            yield _object(source, item, envelope.api)
        elif item is not None:
            yield Refused(
                exact_json.dumps(item),
                f"not an object: a JSON {_kind(item)} inside {envelope.api}'s envelope",
            )


def _object(source: Source, value: dict[str, Any], api: str) -> Unwrapped:
    native = value.get(source.native_id_field)
    native_id = None if native is None or isinstance(native, dict | list) else str(native)
    return Unwrapped(native_id, exact_json.dumps(value), api)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"
