"""Statuses typed in by a person (CSV), kept like any push; their trust is red.

Columns: `waybill_no, carrier, status, time, note, entered_by`; `status` is one of the labels in
`MANUAL_STATUSES` (mapped by the seed like any courier code), `time` China time
`yyyy-MM-dd HH:mm[:ss]`. The file is stored as it came; a file with a row that cannot be read is
quarantined whole, with the line and the reason, so it can be corrected and entered again.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import psycopg

from domain.couriers import CARRIERS_BY_CODE
from ingest import exact_json
from ingest.couriers.events import (
    CourierEvent,
    Malformed,
    ParsedPush,
    content_key,
    parse_local_time,
)
from ingest.couriers.store import PushMeta, StoredPush, quarantine, store_push

CHANNEL = "manual"
COLUMNS = ("waybill_no", "carrier", "status", "time", "note", "entered_by")
MANUAL_STATUSES = (
    "已揽收",
    "运输中",
    "到达网点",
    "派送中",
    "已签收",
    "驿站代收",
    "异常",
    "退回中",
    "已退回",
)


def parse(body: bytes) -> ParsedPush:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Malformed(f"manual: file is not UTF-8: {error.reason}") from error
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in COLUMNS if name not in (reader.fieldnames or ())]
    if missing:
        raise Malformed(f"manual: missing columns: {', '.join(missing)}")
    events = []
    for line, row in enumerate(reader, start=2):
        waybill, carrier, status = (
            row[name].strip() for name in ("waybill_no", "carrier", "status")
        )
        if not waybill:
            raise Malformed(f"manual: line {line}: missing field: waybill_no")
        if carrier not in CARRIERS_BY_CODE:
            raise Malformed(f"manual: line {line}: unknown carrier {carrier!r}")
        if status not in MANUAL_STATUSES:
            raise Malformed(f"manual: line {line}: unknown status {status!r}")
        try:
            event_at = parse_local_time(row["time"])
        except Malformed as error:
            raise Malformed(f"manual: line {line}: {error}") from error
        note = row["note"].strip()
        events.append(
            CourierEvent(
                channel=CHANNEL,
                carrier=carrier,
                waybill_no=waybill,
                event_key=content_key(waybill, row["time"].strip(), status, note),
                native_code=status,
                native_main=status,
                event_at=event_at,
                time_text=row["time"].strip(),
                description=note or status,
                location=None,
                detail=exact_json.dumps({name: row[name] for name in COLUMNS}),
            )
        )
    return ParsedPush(events=events, note="manual entry")


def enter_file(conn: psycopg.Connection, path: Path) -> StoredPush | str:
    """Store a manual-entry file; the stored push, or the reason it was quarantined."""
    body = path.read_bytes()
    meta = PushMeta(CHANNEL, "text/csv", {"file": path.name}, None)
    try:
        parsed = parse(body)
    except Malformed as error:
        quarantine(conn, meta, body, str(error))
        return str(error)
    return store_push(conn, meta, body, parsed)
