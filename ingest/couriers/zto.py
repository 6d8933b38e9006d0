"""ZTO trace pushes: form fields named in configuration, a digest rule from configuration.

No real ZTO push body is on record (docs/domain.md §3), so the field names and the digest rule
are settings (`ZtoPushFormat`). The data field holds JSON: one trace or a list of traces, each
`{billCode, action, actionTime, desc, facilityName}`; `action` is GOT, DEPARTURE, ARRIVAL,
DISPATCH, INBOUND, SIGNED, or a query API's Chinese `scanType` label.
"""

from __future__ import annotations

from ingest import exact_json
from ingest.couriers.auth import same, zto_digest
from ingest.couriers.config import ZtoPushFormat
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

CHANNEL = "zto"
ACK = {"status": True, "message": "success", "result": "success"}
NACK = {"status": False, "message": "storage unavailable, retry", "result": "fail"}


def authenticate(body: bytes, key: str, form: ZtoPushFormat, company_id: str | None) -> str:
    """The data field of a push whose digest (and company, when configured) matches."""
    fields = form_fields(body)
    data = fields.get(form.data_field)
    if data is None:
        raise Unauthorised(f"zto: no {form.data_field} field to verify")
    expected = zto_digest(form.digest_rule, data=data, body=body, key=key)
    if not same(fields.get(form.digest_field), expected):
        raise Unauthorised("zto: digest does not match")
    if company_id is not None and not same(fields.get(form.company_field), company_id):
        raise Unauthorised("zto: unknown company id")
    return data


def parse(data: str) -> ParsedPush:
    try:
        document = exact_json.loads(data)
    except ValueError as error:
        raise Malformed(f"zto: data is not JSON: {error}") from error
    traces = document if isinstance(document, list) else [document]
    events = []
    for trace in traces:
        if not isinstance(trace, dict):
            raise Malformed("zto: a trace is not an object")
        waybill = required_text(trace, "billCode", "trace")
        action = optional_text(trace, "action") or required_text(trace, "scanType", "trace")
        time_text = optional_text(trace, "actionTime") or required_text(trace, "scanDate", "trace")
        description = optional_text(trace, "desc") or ""
        events.append(
            CourierEvent(
                channel=CHANNEL,
                carrier="ZTO",
                waybill_no=waybill,
                event_key=content_key(waybill, time_text, action, description),
                native_code=action,
                native_main=action,
                event_at=parse_local_time(time_text),
                time_text=str(time_text),
                description=description,
                location=optional_text(trace, "facilityName"),
                detail=exact_json.dumps(trace),
            )
        )
    return ParsedPush(events=events)
