"""One courier tracking event as parsers hand it to storage; the errors a push raises."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from domain.china_time import CHINA_TZ


class Unauthorised(Exception):
    """The push did not prove it came from the channel: 401, nothing stored, counted."""


class Malformed(Exception):
    """The push cannot be read: 400, its body quarantined with this reason."""


@dataclass(frozen=True)
class CourierEvent:
    """One scan of one waybill, as a courier reported it."""

    channel: str
    carrier: str
    waybill_no: str
    event_key: str  # the courier's event id, else a content hash: dedup within the channel
    native_code: str | None  # the most specific code (Kuaidi100 sub-state, AfterShip subtag, …)
    native_main: str | None  # its main code (Kuaidi100 main state, AfterShip tag, …)
    event_at: datetime  # UTC
    time_text: str  # the time as the courier wrote it
    description: str
    location: str | None
    detail: str  # the route / checkpoint as it came, JSON text


@dataclass
class ParsedPush:
    """What a push held: its events (possibly none, e.g. a Kuaidi100 `abort`) and a note."""

    events: list[CourierEvent] = field(default_factory=list)
    note: str | None = None


def content_key(*parts: object) -> str:
    """A stable key for an event that carries no id of its own."""
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return "h:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S")


def parse_local_time(text: object, zone: ZoneInfo | None = None) -> datetime:
    """A courier's time in UTC: naive text is local time of `zone` (China time by default).

    Text with an offset keeps it; digits are Unix time (seconds, or milliseconds when 13 long).
    """
    if isinstance(text, int) or (isinstance(text, str) and text.isdigit()):
        number = int(text)
        return datetime.fromtimestamp(number / 1000 if number > 10**11 else number, UTC)
    if not isinstance(text, str) or not text.strip():
        raise Malformed(f"unparseable time: {text!r}")
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
        for layout in TIME_FORMATS:
            try:
                parsed = datetime.strptime(value, layout)
                break
            except ValueError:
                continue
    if parsed is None:
        raise Malformed(f"unparseable time: {text!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone or CHINA_TZ)
    return parsed.astimezone(UTC)


def form_fields(body: bytes) -> dict[str, str]:
    """An `application/x-www-form-urlencoded` body as its fields (the last value of each wins)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Malformed(f"form body is not UTF-8: {error.reason}") from error
    try:
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict")
    except (ValueError, UnicodeDecodeError) as error:
        raise Malformed(f"form body is not URL-encoded: {error}") from error
    return {name: values[-1] for name, values in fields.items()}


def required_text(mapping: dict, name: str, where: str) -> str:
    value = mapping.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise Malformed(f"missing field: {where}.{name}")
    return value.strip()


def optional_text(mapping: dict, name: str) -> str | None:
    value = mapping.get(name)
    if value is None or value == "":
        return None
    return str(value)
