"""Where courier tracking is kept: every push as it came in `raw`, its events in `tracking.events`.

A push is stored in one transaction: the body byte for byte in `raw.courier_pushes` and each of
its events in `tracking.events`, deduplicated by `(channel, event_key)`. Only after the commit
does the receiver acknowledge. A push that cannot be read goes to `raw.courier_quarantine` with
its reason; one that fails authentication leaves only a row in `raw.courier_rejections` (no body).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import psycopg
from psycopg.types.json import Jsonb

from domain.couriers import CHANNELS_BY_NAME
from ingest.couriers.events import CourierEvent, ParsedPush

SCHEMA_LOCK = 7_310_009
#: The raw tables that only real arrivals fill (pushes, polls, manual entries, shipping records):
#: a new simulation never drops a warehouse where any holds a row.
COURIER_RAW_TABLES = (
    "courier_pushes",
    "courier_quarantine",
    "courier_rejections",
    "platform_shipments",
)

SCHEMA_STATEMENTS = (
    "create schema if not exists raw",
    "create schema if not exists tracking",
    """
    create table if not exists raw.courier_pushes (
        push_id bigint generated always as identity primary key,
        channel text not null,
        content_type text,
        headers jsonb not null default '{}'::jsonb,
        body bytea not null,
        remote_addr text,
        note text,
        events integer not null,
        received_at timestamptz not null default now()
    )
    """,
    """
    create table if not exists raw.courier_quarantine (
        quarantine_id bigint generated always as identity primary key,
        channel text not null,
        content_type text,
        headers jsonb not null default '{}'::jsonb,
        body bytea not null,
        reason text not null,
        remote_addr text,
        received_at timestamptz not null default now()
    )
    """,
    """
    create table if not exists raw.courier_rejections (
        rejection_id bigint generated always as identity primary key,
        channel text not null,
        reason text not null,
        remote_addr text,
        body_bytes integer not null,
        received_at timestamptz not null default now()
    )
    """,
    """
    create table if not exists tracking.events (
        event_id bigint generated always as identity primary key,
        push_id bigint not null references raw.courier_pushes (push_id),
        channel text not null,
        carrier text not null,
        waybill_no text not null,
        event_key text not null,
        native_code text,
        native_main text,
        event_at timestamptz not null,
        time_text text not null,
        description text not null,
        location text,
        trust text not null,
        detail jsonb not null,
        received_at timestamptz not null default now(),
        unique (channel, event_key)
    )
    """,
    "create index if not exists events_waybill_idx on tracking.events (waybill_no)",
    """
    create table if not exists raw.platform_shipments (
        shipment_id bigint generated always as identity primary key,
        platform text not null,
        native_order_id text not null,
        waybill_no text not null,
        carrier text not null,
        payload jsonb not null,
        received_at timestamptz not null default now(),
        unique (platform, native_order_id, waybill_no)
    )
    """,
)

INSERT_PUSH = """
    insert into raw.courier_pushes (channel, content_type, headers, body, remote_addr, note, events)
    values (%s, %s, %s, %s, %s, %s, %s) returning push_id
"""
INSERT_EVENT = """
    insert into tracking.events (push_id, channel, carrier, waybill_no, event_key, native_code,
        native_main, event_at, time_text, description, location, trust, detail)
    values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb)
    on conflict (channel, event_key) do nothing
"""
INSERT_QUARANTINE = """
    insert into raw.courier_quarantine (channel, content_type, headers, body, reason, remote_addr)
    values (%s, %s, %s, %s, %s, %s)
"""
INSERT_REJECTION = """
    insert into raw.courier_rejections (channel, reason, remote_addr, body_bytes)
    values (%s, %s, %s, %s)
"""


@dataclass(frozen=True)
class PushMeta:
    """What is kept of a push besides its body (never a signature or token)."""

    channel: str
    content_type: str | None
    headers: dict[str, str]
    remote_addr: str | None


@dataclass(frozen=True)
class StoredPush:
    push_id: int
    new_events: int  # events not seen before (the rest were duplicates)


def _event_rows(push_id: int, events: Sequence[CourierEvent]) -> list[tuple]:
    return [
        (
            push_id,
            event.channel,
            event.carrier,
            event.waybill_no,
            event.event_key,
            event.native_code,
            event.native_main,
            event.event_at,
            event.time_text,
            event.description,
            event.location,
            CHANNELS_BY_NAME[event.channel].trust,
            event.detail,
        )
        for event in events
    ]


def _push_row(meta: PushMeta, body: bytes, parsed: ParsedPush) -> tuple:
    return (
        meta.channel,
        meta.content_type,
        Jsonb(meta.headers),
        body,
        meta.remote_addr,
        parsed.note,
        len(parsed.events),
    )


def ensure_tracking_schema(conn: psycopg.Connection) -> None:
    """Create the courier tables (once, even when several workers start together)."""
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        for statement in SCHEMA_STATEMENTS:
            conn.execute(statement)


async def ensure_tracking_schema_async(conn: psycopg.AsyncConnection) -> None:
    """`ensure_tracking_schema` for the receiver's event loop."""
    async with conn.transaction():
        await conn.execute("select pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        for statement in SCHEMA_STATEMENTS:
            await conn.execute(statement)


def store_push(
    conn: psycopg.Connection, meta: PushMeta, body: bytes, parsed: ParsedPush
) -> StoredPush:
    """Commit a push and its events; return once they are durable."""
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(INSERT_PUSH, _push_row(meta, body, parsed))
        (push_id,) = cur.fetchone()
        new = 0
        for row in _event_rows(push_id, parsed.events):
            cur.execute(INSERT_EVENT, row)
            new += cur.rowcount
    return StoredPush(push_id, new)


async def store_push_async(
    conn: psycopg.AsyncConnection, meta: PushMeta, body: bytes, parsed: ParsedPush
) -> StoredPush:
    """`store_push` for the receiver's event loop."""
    async with conn.transaction(), conn.cursor() as cur:
        await cur.execute(INSERT_PUSH, _push_row(meta, body, parsed))
        (push_id,) = await cur.fetchone()
        new = 0
        for row in _event_rows(push_id, parsed.events):
            await cur.execute(INSERT_EVENT, row)
            new += cur.rowcount
    return StoredPush(push_id, new)


def quarantine(conn: psycopg.Connection, meta: PushMeta, body: bytes, reason: str) -> None:
    with conn.transaction():
        conn.execute(
            INSERT_QUARANTINE,
            (meta.channel, meta.content_type, Jsonb(meta.headers), body, reason, meta.remote_addr),
        )


async def quarantine_async(
    conn: psycopg.AsyncConnection, meta: PushMeta, body: bytes, reason: str
) -> None:
    async with conn.transaction():
        await conn.execute(
            INSERT_QUARANTINE,
            (meta.channel, meta.content_type, Jsonb(meta.headers), body, reason, meta.remote_addr),
        )


async def count_rejection_async(
    conn: psycopg.AsyncConnection, meta: PushMeta, reason: str, body_bytes: int
) -> None:
    async with conn.transaction():
        await conn.execute(INSERT_REJECTION, (meta.channel, reason, meta.remote_addr, body_bytes))
