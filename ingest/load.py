"""Append-only landing of payloads into the `raw` schema with COPY, in bounded-memory chunks.

Every payload is stored exactly as received (jsonb), with its source, native id, batch id and
the time it was received. Nothing here parses or filters: a payload that cannot be understood
is still landed, and the staging layer quarantines it with the reason. A payload Postgres
refuses as jsonb (not JSON at all, or a NUL character) is kept byte for byte in
`raw.rejected_payloads` with Postgres' reason; the rest of its chunk lands as usual.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

import psycopg
import psycopg.sql
from psycopg.types.json import Jsonb

from domain.sources import SOURCES, SOURCES_BY_NAME, source_named
from ingest.couriers.store import COURIER_RAW_TABLES

log = logging.getLogger(__name__)

DEFAULT_CHUNK_ROWS = 50_000


class Landable(Protocol):
    source: str
    native_id: str | None
    payload: str


@dataclass(frozen=True)
class Record:
    """The plainest `Landable`: a payload as received, its source and native id."""

    source: str
    native_id: str | None
    payload: str


@dataclass
class LandingResult:
    batch_id: str
    rows_by_source: dict[str, int] = field(default_factory=dict)
    refused: int = 0  # of those rows, kept in raw.rejected_payloads instead (not valid jsonb)
    rejected: int = 0  # payloads not objects of their source (`Landing.reject`), kept there too

    @property
    def rows(self) -> int:
        return sum(self.rows_by_source.values())


def ensure_raw_schema(conn: psycopg.Connection) -> None:
    """Create the raw schema, one append-only table per source, and the batch log."""
    conn.execute("create schema if not exists raw")
    for source in SOURCES:
        conn.execute(
            f"""
            create table if not exists raw.{source.raw_table} (
                raw_id bigint generated always as identity primary key,
                source text not null,
                native_id text,
                payload jsonb not null,
                batch_id text not null,
                received_at timestamptz not null default now()
            )
            """
        )
        conn.execute(
            f"create index if not exists {source.raw_table}_native_id_idx "
            f"on raw.{source.raw_table} (native_id)"
        )
    conn.execute(
        """
        create table if not exists raw.rejected_payloads (
            raw_id bigint generated always as identity primary key,
            source text not null,
            native_id text,
            payload bytea not null,
            reason text not null,
            batch_id text not null,
            received_at timestamptz not null default now()
        )
        """
    )
    conn.execute(
        """
        create table if not exists raw.landing_batches (
            batch_id text primary key,
            label text not null,
            started_at timestamptz not null,
            finished_at timestamptz,
            rows_by_source jsonb not null default '{}'::jsonb
        )
        """
    )
    conn.commit()


def new_batch_id() -> str:
    return uuid.uuid4().hex


RawRow = tuple[str, str | None, str, str]


def _copy_rows(cur: psycopg.Cursor, table: str, rows: list[RawRow]) -> None:
    with cur.copy(f"copy raw.{table} (source, native_id, payload, batch_id) from stdin") as copy:
        for row in rows:
            copy.write_row(row)


def _refusal(error: psycopg.DataError) -> str:
    detail = error.diag.message_detail
    primary = error.diag.message_primary or str(error)
    return f"invalid payload: {primary}" + (f" ({detail})" if detail else "")


def _copy_or_refuse(
    conn: psycopg.Connection, table: str, rows: list[RawRow]
) -> list[tuple[RawRow, str]]:
    """COPY `rows` under a savepoint; return the rows Postgres refuses, each with its reason.

    A refused COPY is split in halves until the refused rows are alone, so one bad payload
    costs a few extra COPYs of its neighbours, and the good rows still land.
    """
    try:
        with conn.transaction(), conn.cursor() as cur:
            _copy_rows(cur, table, rows)
        return []
    except psycopg.DataError as error:
        if len(rows) == 1:
            return [(rows[0], _refusal(error))]
    middle = len(rows) // 2
    return _copy_or_refuse(conn, table, rows[:middle]) + _copy_or_refuse(conn, table, rows[middle:])


def _keep_refused(conn: psycopg.Connection, refused: list[tuple[RawRow, str]]) -> None:
    with (
        conn.cursor() as cur,
        cur.copy(
            "copy raw.rejected_payloads (source, native_id, payload, reason, batch_id) from stdin"
        ) as copy,
    ):
        for (source, native_id, payload, batch_id), reason in refused:
            copy.write_row(
                (source, native_id, payload.encode("utf-8", "surrogatepass"), reason, batch_id)
            )


class Landing:
    """One landing batch: buffer records, COPY them per source every `chunk_rows`, commit.

    Use as a context manager; the batch is logged in `raw.landing_batches` with its row counts.
    """

    def __init__(
        self,
        conn: psycopg.Connection,
        *,
        label: str = "landing",
        chunk_rows: int = DEFAULT_CHUNK_ROWS,
        progress: Callable[[int], None] | None = None,
        commit_chunks: bool = True,
        ensure_schema: bool = True,
    ) -> None:
        self.conn = conn
        # False: the caller made sure the raw tables exist (a pull lands many small batches).
        self.ensure_schema = ensure_schema
        self.label = label
        self.chunk_rows = chunk_rows
        self.progress = progress
        # False: every chunk stays in one transaction, committed at the end (all or nothing).
        self.commit_chunks = commit_chunks
        self.result = LandingResult(batch_id=new_batch_id())
        self._pending: dict[str, list[RawRow]] = defaultdict(list)
        self._pending_rows = 0
        self._rejected: list[tuple[RawRow, str]] = []

    def __enter__(self) -> Landing:
        if self.ensure_schema:
            ensure_raw_schema(self.conn)
        self.conn.execute(
            "insert into raw.landing_batches (batch_id, label, started_at) values (%s, %s, now())",
            (self.result.batch_id, self.label),
        )
        self.conn.commit()
        if not self.commit_chunks:
            # Open the transaction now: each COPY's conn.transaction() is then a savepoint in
            # it, instead of a transaction of its own committed at once.
            self.conn.execute("select 1")
        return self

    def add(self, records: Iterable[Landable]) -> None:
        for record in records:
            if record.source not in SOURCES_BY_NAME:
                source_named(record.source)  # raises, naming the known sources
            self._pending[record.source].append(
                (record.source, record.native_id, record.payload, self.result.batch_id)
            )
            self._pending_rows += 1
            if self._pending_rows >= self.chunk_rows:
                self.flush()

    def reject(self, source: str, native_id: str | None, payload: str, reason: str) -> None:
        """Keep a payload that is not an object of `source` in raw.rejected_payloads, with why."""
        source_named(source)
        self._rejected.append(((source, native_id, payload, self.result.batch_id), reason))
        self.result.rejected += 1
        self._pending_rows += 1
        if self._pending_rows >= self.chunk_rows:
            self.flush()

    def flush(self) -> None:
        if not self._pending_rows:
            return
        if self._rejected:
            _keep_refused(self.conn, self._rejected)
            self._rejected = []
        for source_name, rows in self._pending.items():
            refused = _copy_or_refuse(self.conn, SOURCES_BY_NAME[source_name].raw_table, rows)
            if refused:
                _keep_refused(self.conn, refused)
                self.result.refused += len(refused)
                log.warning(
                    "%d %s payload(s) are not valid jsonb; kept in raw.rejected_payloads"
                    " (first: %s)",
                    len(refused),
                    source_name,
                    refused[0][1],
                )
            counts = self.result.rows_by_source
            counts[source_name] = counts.get(source_name, 0) + len(rows)
        if self.commit_chunks:
            self.conn.commit()
        self._pending.clear()
        self._pending_rows = 0
        if self.progress:
            self.progress(self.result.rows)

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None:
            self.conn.rollback()
            return
        self.flush()
        self.conn.execute(
            "update raw.landing_batches set finished_at = now(), rows_by_source = %s "
            "where batch_id = %s",
            (Jsonb(self.result.rows_by_source), self.result.batch_id),
        )
        self.conn.commit()
        log.info(
            "landed %d payloads in batch %s: %s",
            self.result.rows,
            self.result.batch_id,
            self.result.rows_by_source,
        )


def land_records(
    conn: psycopg.Connection,
    records: Iterable[Landable],
    *,
    label: str = "landing",
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: Callable[[int], None] | None = None,
) -> LandingResult:
    """COPY `records` into their raw tables as one batch; memory is bounded by one chunk."""
    with Landing(conn, label=label, chunk_rows=chunk_rows, progress=progress) as landing:
        landing.add(records)
    return landing.result


def finished_batch_exists(conn: psycopg.Connection, label: str) -> bool:
    """Whether a batch with this label already landed completely."""
    ensure_raw_schema(conn)
    row = conn.execute(
        "select 1 from raw.landing_batches where label = %s and finished_at is not null limit 1",
        (label,),
    ).fetchone()
    return row is not None


SIMULATION_LABEL_PREFIX = "simulation:"


def landed_labels(conn: psycopg.Connection) -> set[str]:
    """Labels of every batch that ever landed in this warehouse."""
    ensure_raw_schema(conn)
    return {label for (label,) in conn.execute("select distinct label from raw.landing_batches")}


def _has_rows(conn: psycopg.Connection, schema: str, table: str) -> bool:
    exists = conn.execute("select to_regclass(%s)", (f"{schema}.{table}",)).fetchone()[0]
    if exists is None:
        return False
    query = psycopg.sql.SQL("select exists (select 1 from {})").format(
        psycopg.sql.Identifier(schema, table)
    )
    return bool(conn.execute(query).fetchone()[0])


def clear_simulated_warehouse(conn: psycopg.Connection, schemas: Iterable[str]) -> None:
    """Drop `schemas` so a different simulation can start from nothing.

    Refuses when anything but simulations ever landed here: real payloads are never deleted.
    """
    real = sorted(
        label for label in landed_labels(conn) if not label.startswith(SIMULATION_LABEL_PREFIX)
    )
    real += [f"raw.{table}" for table in COURIER_RAW_TABLES if _has_rows(conn, "raw", table)]
    if real:
        raise RuntimeError(
            "this warehouse holds landings that are not simulations "
            f"({', '.join(real[:3])}); a simulated merchant will not replace them. "
            "Point ORDERSIGHT_DATABASE_URL at another database to simulate."
        )
    names = ", ".join(psycopg.sql.Identifier(name).as_string(conn) for name in schemas)
    conn.execute(f"drop schema if exists {names} cascade")
    conn.commit()
