"""The ``keys`` schema: its tables and the worker-id sequence, and looking one key up."""

from __future__ import annotations

import psycopg

from domain.sources import PLATFORM_CODES
from ingest.keys.format import _SQL_KEY_EXPR, KEY_PATTERN, LOCK_SERIAL_LIMIT, SNOWFLAKE_SERIAL_MIN

_PLATFORM_LIST = ", ".join(f"'{code}'" for code in PLATFORM_CODES)  # 'TB', 'JD', 'PDD', 'WX'


def ensure_schema(conn: psycopg.Connection) -> None:
    """Create the ``keys`` schema, its tables and the worker-id sequence (idempotent)."""
    key_expr = _SQL_KEY_EXPR.format(p="platform", d="created_date", s="serial")
    with conn.transaction():
        # Serialise concurrent callers: "create … if not exists" alone can race.
        conn.execute("select pg_advisory_xact_lock(hashtext('ordersight.keys.ensure_schema'))")
        conn.execute("create schema if not exists keys")
        conn.execute(
            f"""
            create table if not exists keys.order_keys (
                unified_key text primary key,
                platform text not null check (platform in ({_PLATFORM_LIST})),
                native_id text not null,
                created_date date not null,
                serial bigint not null,
                mode text not null check (mode in ('lock', 'snowflake')),
                allocated_at timestamptz not null default now(),
                unique (platform, native_id),
                constraint order_keys_key_format check (unified_key ~ '{KEY_PATTERN}'),
                constraint order_keys_serial_range check (
                    (mode = 'lock' and serial >= 1 and serial < {LOCK_SERIAL_LIMIT})
                    or (mode = 'snowflake' and serial >= {SNOWFLAKE_SERIAL_MIN})
                ),
                constraint order_keys_key_composition check (unified_key = {key_expr})
            )
            """
        )
        conn.execute(
            f"""
            create table if not exists keys.serial_counters (
                platform text,
                created_date date,
                last_serial bigint not null
                    check (last_serial >= 0 and last_serial < {LOCK_SERIAL_LIMIT}),
                primary key (platform, created_date)
            )
            """
        )
        conn.execute("create sequence if not exists keys.snowflake_worker_seq as bigint")


def key_for(conn: psycopg.Connection, platform: str, native_id: str) -> str | None:
    """The unified key of one platform order, or None if it has none yet."""
    with conn.transaction():  # leaves an idle connection idle
        row = conn.execute(
            "select unified_key from keys.order_keys where platform = %s and native_id = %s",
            (platform, native_id),
        ).fetchone()
    return None if row is None else str(row[0])
