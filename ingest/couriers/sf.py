"""SF Express route pushes: JSON, or form mode with a field `content` holding URL-encoded XML.

SF signs nothing it pushes (docs/domain.md §3, corrections): the callback path carries a secret
token, compared in constant time by the receiver. One push holds up to 10 routes of mixed
waybills, each with its own `id` (the dedup key).
"""

from __future__ import annotations

from urllib.parse import unquote
from xml.etree import ElementTree

from ingest import exact_json
from ingest.couriers.events import (
    CourierEvent,
    Malformed,
    ParsedPush,
    form_fields,
    optional_text,
    parse_local_time,
    required_text,
)

CHANNEL = "sf"
ACK = {"return_code": "0000", "return_msg": "成功"}
NACK = {"return_code": "1000", "return_msg": "系统异常，请重试"}
ROUTE_FIELDS = (
    "id",
    "mailno",
    "orderid",
    "acceptTime",
    "acceptAddress",
    "remark",
    "opCode",
    "reasonCode",
    "reasonName",
    "firstStatusCode",
    "firstStatusName",
    "secondaryStatusCode",
    "secondaryStatusName",
)


def parse(body: bytes, content_type: str) -> ParsedPush:
    if "form" in content_type:
        content = form_fields(body).get("content")
        if content is None:
            raise Malformed("sf: form push without a content field")
        return ParsedPush(events=[_event(route) for route in _xml_routes(content)])
    try:
        document = exact_json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise Malformed(f"sf: body is not JSON: {error}") from error
    routes = document.get("Body", {}).get("WaybillRoute") if isinstance(document, dict) else None
    if isinstance(routes, dict):
        routes = [routes]
    if not isinstance(routes, list) or not all(isinstance(route, dict) for route in routes):
        raise Malformed("sf: missing field: Body.WaybillRoute")
    return ParsedPush(events=[_event(route) for route in routes])


def _xml_routes(content: str) -> list[dict[str, str]]:
    text = content.strip()
    if not text.startswith("<"):
        text = unquote(text).strip()
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise Malformed("sf: XML with a DOCTYPE or entity declaration is refused")
    try:
        root = ElementTree.fromstring(text)  # noqa: S314 (no DOCTYPE/ENTITY, size-capped)
    except ElementTree.ParseError as error:
        raise Malformed(f"sf: content is not XML: {error}") from error
    routes = [dict(element.attrib) for element in root.iter("WaybillRoute")]
    if not routes:
        raise Malformed("sf: XML without a WaybillRoute")
    return routes


def _event(route: dict) -> CourierEvent:
    waybill = required_text(route, "mailno", "WaybillRoute")
    time_text = required_text(route, "acceptTime", "WaybillRoute")
    op_code = required_text(route, "opCode", "WaybillRoute")
    detail = {name: route[name] for name in ROUTE_FIELDS if name in route}
    return CourierEvent(
        channel=CHANNEL,
        carrier="SF",
        waybill_no=waybill,
        event_key="id:" + required_text(route, "id", "WaybillRoute"),
        native_code=op_code,
        native_main=op_code,
        event_at=parse_local_time(time_text),
        time_text=time_text,
        description=optional_text(route, "remark") or "",
        location=optional_text(route, "acceptAddress"),
        detail=exact_json.dumps(detail),
    )
