"""Kuaidi100 subscription pushes: form fields `param` (JSON) and `sign` (docs/domain.md §3).

`lastResult.state` is the shipment's current state, a main state (`3`) or, with the `resultv2`
option, a 3-digit sub-state (`304`, first digit = main state). Events (`data[]`) come newest
first; each carries its own `statusCode` only with `resultv2`, so without it the current state
is given to the newest event alone and older ones are track lines without a state.
"""

from __future__ import annotations

from domain.couriers import carrier_code
from ingest import exact_json
from ingest.couriers.auth import kuaidi100_sign, same
from ingest.couriers.events import (
    CourierEvent,
    Malformed,
    ParsedPush,
    Unauthorised,
    content_key,
    form_fields,
    optional_text,
    parse_local_time,
    required_text,
)

CHANNEL = "kuaidi100"
ACK = {"result": True, "returnCode": "200", "message": "提交成功"}
NACK = {"result": False, "returnCode": "500", "message": "保存失败，请重试"}


def authenticate(body: bytes, salt: str) -> dict[str, str]:
    """The form fields of a push whose `sign` matches; Unauthorised otherwise."""
    fields = form_fields(body)
    param = fields.get("param")
    if param is None or not same(fields.get("sign", "").upper(), kuaidi100_sign(param, salt)):
        raise Unauthorised("kuaidi100: sign does not match param")
    return fields


def parse(fields: dict[str, str]) -> ParsedPush:
    try:
        param = exact_json.loads(fields["param"])
    except ValueError as error:
        raise Malformed(f"kuaidi100: param is not JSON: {error}") from error
    if not isinstance(param, dict):
        raise Malformed("kuaidi100: param is not an object")
    status = param.get("status")
    result = param.get("lastResult")
    if status == "abort" and not isinstance(result, dict):
        return ParsedPush(note=f"abort: {param.get('message', '')}")
    if not isinstance(result, dict):
        raise Malformed("kuaidi100: missing field: lastResult")
    waybill = required_text(result, "nu", "lastResult")
    carrier = carrier_code(required_text(result, "com", "lastResult"))
    state = optional_text(result, "state")
    data = result.get("data") or []
    if not isinstance(data, list):
        raise Malformed("kuaidi100: lastResult.data is not a list")
    events = []
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise Malformed(f"kuaidi100: lastResult.data[{index}] is not an object")
        time_text = optional_text(item, "ftime") or required_text(item, "time", "data[]")
        code = optional_text(item, "statusCode") or (state if index == 0 else None)
        context = optional_text(item, "context") or ""
        events.append(
            CourierEvent(
                channel=CHANNEL,
                carrier=carrier,
                waybill_no=waybill,
                event_key=content_key(carrier, waybill, time_text, context),
                native_code=code,
                native_main=code[0] if code else None,
                event_at=parse_local_time(time_text),
                time_text=time_text,
                description=context,
                location=optional_text(item, "areaName"),
                detail=exact_json.dumps(item),
            )
        )
    return ParsedPush(events=events, note=f"{status or ''}".strip() or None)
