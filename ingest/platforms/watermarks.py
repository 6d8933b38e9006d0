"""Where pulls keep their place: a watermark per (shop, source), and every version pulled.

`raw.pull_watermarks` holds, per shop and source, the modified time up to which every window
has landed. `raw.pulled_versions` holds one row per (source, native id, version) ever landed by
a pull — a version is the SHA-256 of the object as landed, so it changes with any field,
the modified time included — with the shop, batch, request window and page it came in. Both
move in the transaction that lands the window's rows: a window is in raw with its watermark,
or neither.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

import psycopg


def version_of(payload: str) -> str:
    """The version of an object as landed: SHA-256 of its JSON text."""
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def ensure_pull_tables(conn: psycopg.Connection) -> None:
    conn.execute("create schema if not exists raw")
    conn.execute(
        """
        create table if not exists raw.pull_watermarks (
            shop_id text not null,
            source text not null,
            platform text not null,
            watermark timestamptz not null,
            updated_at timestamptz not null default now(),
            primary key (shop_id, source)
        )
        """
    )
    conn.execute(
        """
        create table if not exists raw.pulled_versions (
            source text not null,
            native_id text not null,  -- '' for an object without one (kept, quarantined later)
            version text not null,
            shop_id text not null,
            batch_id text not null,
            window_start timestamptz not null,
            window_end timestamptz not null,
            page integer not null,
            pulled_at timestamptz not null default now(),
            primary key (source, native_id, version)
        )
        """
    )
    conn.commit()


def watermark(conn: psycopg.Connection, shop_id: str, source: str) -> datetime | None:
    row = conn.execute(
        "select watermark from raw.pull_watermarks where shop_id = %s and source = %s",
        (shop_id, source),
    ).fetchone()
    return row[0] if row else None


def lock_watermark(
    conn: psycopg.Connection, platform: str, shop_id: str, source: str, initial: datetime
) -> datetime:
    """The shop's watermark, locked until the transaction ends (one window commits at a time)."""
    conn.execute(
        "insert into raw.pull_watermarks (shop_id, source, platform, watermark) "
        "values (%s, %s, %s, %s) on conflict do nothing",
        (shop_id, source, platform, initial),
    )
    row = conn.execute(
        "select watermark from raw.pull_watermarks where shop_id = %s and source = %s for update",
        (shop_id, source),
    ).fetchone()
    assert row is not None
    return row[0]


def advance_watermark(conn: psycopg.Connection, shop_id: str, source: str, to: datetime) -> None:
    conn.execute(
        "update raw.pull_watermarks set watermark = greatest(watermark, %s), updated_at = now() "
        "where shop_id = %s and source = %s",
        (to, shop_id, source),
    )


def landed_versions(
    conn: psycopg.Connection, source: str, keys: Iterable[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Which of these (native id, version) pairs of `source` have landed already."""
    versions = sorted({version for _, version in keys})
    if not versions:
        return set()
    rows = conn.execute(
        "select native_id, version from raw.pulled_versions "
        "where source = %s and version = any(%s)",
        (source, versions),
    ).fetchall()
    return {(native_id, version) for native_id, version in rows}


def record_versions(
    conn: psycopg.Connection,
    rows: Iterable[tuple[str, str, str, str, str, datetime, datetime, int]],
) -> None:
    """(source, native id, version, shop, batch, window start, window end, page) per landed row."""
    with (
        conn.cursor() as cur,
        cur.copy(
            "copy raw.pulled_versions (source, native_id, version, shop_id, batch_id, "
            "window_start, window_end, page) from stdin"
        ) as copy,
    ):
        for row in rows:
            copy.write_row(row)
