"""AfterShip-style webhooks: JSON signed by `aftership-hmac-sha256` (docs/domain.md §3).

A webhook carries the whole tracking (`msg`) with its `checkpoints[]`; each checkpoint becomes
one event, keyed by its content (a later webhook repeats the earlier checkpoints; `event_id`
identifies the delivery, not a scan). `checkpoint_time` is the checkpoint's local time without
an offset: it is read in the zone of the checkpoint's country (`country_iso3`), China time
when the country is not known here.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from domain.couriers import carrier_code
from ingest import exact_json
from ingest.couriers.auth import aftership_signature, same
from ingest.couriers.events import (
    CourierEvent,
    Malformed,
    ParsedPush,
    Unauthorised,
    content_key,
    optional_text,
    parse_local_time,
    required_text,
)

CHANNEL = "aftership"
SIGNATURE_HEADER = "aftership-hmac-sha256"
ACK = {"ok": True}
NACK = {"ok": False, "error": "storage unavailable, retry"}
COUNTRY_ZONES = {
    "CHN": "Asia/Shanghai",
    "HKG": "Asia/Hong_Kong",
    "MAC": "Asia/Macau",
    "TWN": "Asia/Taipei",
    "JPN": "Asia/Tokyo",
    "KOR": "Asia/Seoul",
    "SGP": "Asia/Singapore",
    "GBR": "Europe/London",
    "DEU": "Europe/Berlin",
    "FRA": "Europe/Paris",
}


def authenticate(body: bytes, signature: str | None, secret: str) -> None:
    if not same(signature, aftership_signature(body, secret)):
        raise Unauthorised("aftership: aftership-hmac-sha256 does not match the body")


def parse(body: bytes) -> ParsedPush:
    try:
        document = exact_json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise Malformed(f"aftership: body is not JSON: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("msg"), dict):
        raise Malformed("aftership: missing field: msg")
    msg = document["msg"]
    waybill = required_text(msg, "tracking_number", "msg")
    carrier = carrier_code(required_text(msg, "slug", "msg"))
    checkpoints = msg.get("checkpoints") or []
    if not isinstance(checkpoints, list):
        raise Malformed("aftership: msg.checkpoints is not a list")
    events = []
    for checkpoint in checkpoints:
        if not isinstance(checkpoint, dict):
            raise Malformed("aftership: a checkpoint is not an object")
        time_text = required_text(checkpoint, "checkpoint_time", "checkpoints[]")
        tag = required_text(checkpoint, "tag", "checkpoints[]")
        subtag = optional_text(checkpoint, "subtag")
        zone = COUNTRY_ZONES.get(optional_text(checkpoint, "country_iso3") or "CHN")
        message = optional_text(checkpoint, "message") or ""
        events.append(
            CourierEvent(
                channel=CHANNEL,
                carrier=carrier,
                waybill_no=waybill,
                event_key=content_key(carrier, waybill, time_text, tag, subtag, message),
                native_code=subtag or tag,
                native_main=tag,
                event_at=parse_local_time(time_text, ZoneInfo(zone) if zone else None),
                time_text=time_text,
                description=message,
                location=optional_text(checkpoint, "location"),
                detail=exact_json.dumps(checkpoint),
            )
        )
    return ParsedPush(events=events, note=optional_text(document, "event_id"))
