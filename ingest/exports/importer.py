"""Importing one file into raw: every object landed as received, the rest kept with the reason.

Saved API responses (`responses.py`) land as their objects; seller-centre exports (CSV, XLSX)
land as one API object per order built from their rows (`rows.py`), the rows kept beside it.

A file lands whole or not at all (one transaction), and once: its SHA-256 is recorded in
`raw.imported_files` in the same transaction, so the same content under any name, or a rerun
after a kill, never lands twice.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg

from domain.sources import Source
from ingest.exports.responses import JSON_SUFFIXES, read_responses
from ingest.exports.rows import ItemIndex, export_objects, open_export
from ingest.exports.tables import TABLE_SUFFIXES
from ingest.load import DEFAULT_CHUNK_ROWS, Landing, Record, ensure_raw_schema
from ingest.platforms.envelopes import Refused, Unwrapped

IMPORT_LABEL_PREFIX = "import:"
PROGRESS_EVERY = 10_000


class UnsupportedFile(ValueError):
    """A file ordersight cannot read (yet): the message says which and why."""


@dataclass
class FileSummary:
    """What importing one file did."""

    path: str
    sha256: str
    source: str
    landed: int = 0  # objects landed in the source's raw table
    native_ids: int = 0  # distinct native ids among them (orders, when the entity is orders)
    rejected: Counter[str] = field(default_factory=Counter)  # kept aside, by reason kind
    by_api: Counter[str] = field(default_factory=Counter)  # objects by the envelope they came in
    already_imported: tuple[str, datetime] | None = None  # (first name, when) if seen before
    layout: str | None = None  # an export file's layout ("pdd-orders v1")
    rows: int = 0  # an export file's data rows
    unknown_columns: tuple[str, ...] = ()  # an export's headers no layout column names (kept)
    item_rows: int = 0  # rows of separate item files joined into this file's orders
    item_file: bool = False  # a separate item file: its rows land inside the orders' payloads

    def line(self) -> str:
        """One line for a person: rows, orders, what was kept aside and why."""
        if self.already_imported:
            name, when = self.already_imported
            return (
                f"{self.path}: already imported (same content as {name}, {when:%Y-%m-%d %H:%M} "
                "UTC); nothing landed"
            )
        text = f"{self.path}: "
        if self.item_file:
            text += "item file, its rows landed inside the orders of the order exports"
            if self.rejected:
                text += (
                    f"; {sum(self.rejected.values()):,} rows joined no order, kept in "
                    "raw.rejected_payloads"
                )
            return text
        if self.layout:
            text += f"{self.layout}, {self.rows:,} rows"
            if self.item_rows:
                text += f" (+{self.item_rows:,} item rows)"
            text += "; "
        text += f"{self.landed:,} {self.source} objects landed ({self.native_ids:,} ids)"
        if self.rejected:
            reasons = ", ".join(f"{kind} {count:,}" for kind, count in self.rejected.most_common())
            text += (
                f"; {sum(self.rejected.values()):,} kept aside in raw.rejected_payloads ({reasons})"
            )
        if self.unknown_columns:
            text += (
                f"; columns the layout does not know, kept in raw only: "
                f"{', '.join(self.unknown_columns)}"
            )
        return text


def ensure_import_log(conn: psycopg.Connection) -> None:
    ensure_raw_schema(conn)
    conn.execute(
        """
        create table if not exists raw.imported_files (
            sha256 text primary key,
            file_name text not null,
            source text not null,
            batch_id text not null,
            landed integer not null,
            rejected integer not null,
            imported_at timestamptz not null default now()
        )
        """
    )
    conn.commit()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as raw:
        while block := raw.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def import_file(
    conn: psycopg.Connection,
    path: Path,
    source: Source,
    *,
    items: ItemIndex | None = None,
    progress: Callable[[int], None] | None = None,
    progress_every: int = PROGRESS_EVERY,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> FileSummary:
    """Land the objects of `source` in the file at `path`; a file already imported is skipped.

    `items` holds the rows of separate item files to join into an export's orders (Taobao).
    """
    suffix = path.suffix.lower()
    if suffix not in JSON_SUFFIXES + TABLE_SUFFIXES:
        raise UnsupportedFile(
            f"{path}: not a saved API response ({', '.join(JSON_SUFFIXES)}) nor a seller-centre "
            f"export ({', '.join(TABLE_SUFFIXES)})"
        )
    ensure_import_log(conn)
    sha = file_sha256(path)
    summary = FileSummary(path=str(path), sha256=sha, source=source.name)
    seen = conn.execute(
        "select file_name, imported_at from raw.imported_files where sha256 = %s", (sha,)
    ).fetchone()
    if seen:
        summary.already_imported = (seen[0], seen[1])
        return summary
    if suffix in JSON_SUFFIXES:
        objects: Iterator[Unwrapped | Refused] = read_responses(path, source)
        _land(conn, path, source, objects, summary, progress, progress_every, chunk_rows)
        return summary
    try:
        export = open_export(path, source)
    except ValueError as error:  # no layout fits, no header, not UTF-8 nor GBK
        raise UnsupportedFile(f"{path}: {error}") from None
    if export.layout.kind == "items":
        export.close()
        raise UnsupportedFile(
            f"{path}: a {source.label} item file ({export.layout.label}); import it in one "
            "command with the order export it belongs to"
        )
    summary.layout = export.layout.label
    summary.unknown_columns = export.unknown_columns
    try:
        before = items.rows - items.unused() if items else 0
        _land(
            conn,
            path,
            source,
            export_objects(export, source, items),
            summary,
            progress,
            progress_every,
            chunk_rows,
        )
        summary.item_rows = (items.rows - items.unused() - before) if items else 0
    finally:
        export.close()
    summary.rows = export.rows_read
    return summary


def _land(
    conn: psycopg.Connection,
    path: Path,
    source: Source,
    objects: Iterator[Unwrapped | Refused],
    summary: FileSummary,
    progress: Callable[[int], None] | None,
    progress_every: int,
    chunk_rows: int,
) -> None:
    label = f"{IMPORT_LABEL_PREFIX}{source.name}:{summary.sha256[:16]}"
    table = f"raw.{source.raw_table}"
    ensure_raw_schema(conn)
    (before,) = conn.execute(f"select coalesce(max(raw_id), 0) from {table}").fetchone()
    conn.commit()
    with Landing(conn, label=label, chunk_rows=chunk_rows, commit_chunks=False) as landing:
        for item in objects:
            if isinstance(item, Refused):
                landing.reject(source.name, item.native_id, item.payload, item.reason)
                summary.rejected[item.reason.split(":", 1)[0]] += 1
            else:
                landing.add([Record(source.name, item.native_id, item.payload)])
                summary.landed += 1
                summary.by_api[item.api] += 1
            done = summary.landed + sum(summary.rejected.values())
            if progress and done % progress_every == 0:
                progress(done)
        landing.flush()
        # Counted by Postgres, not in a set here: memory stays flat however many orders.
        (summary.native_ids,) = conn.execute(
            f"select count(distinct native_id) from {table} where raw_id > %s and batch_id = %s",
            (before, landing.result.batch_id),
        ).fetchone()
        _log_import(conn, summary, path.name, landing.result.batch_id)


def _log_import(conn: psycopg.Connection, summary: FileSummary, name: str, batch_id: str) -> None:
    conn.execute(
        "insert into raw.imported_files (sha256, file_name, source, batch_id, landed, rejected)"
        " values (%s, %s, %s, %s, %s, %s) on conflict (sha256) do nothing",
        (
            summary.sha256,
            name,
            summary.source,
            batch_id,
            summary.landed,
            sum(summary.rejected.values()),
        ),
    )


def land_unjoined_items(
    conn: psycopg.Connection, items: ItemIndex, source: Source
) -> list[FileSummary]:
    """Record the item files and keep their rows that joined no order, with the reason.

    An item file already recorded (same content) keeps nothing again.
    """
    ensure_import_log(conn)
    summaries = []
    for path in items.files:
        sha = file_sha256(path)
        summary = FileSummary(path=str(path), sha256=sha, source=source.name, item_file=True)
        seen = conn.execute(
            "select file_name, imported_at from raw.imported_files where sha256 = %s", (sha,)
        ).fetchone()
        if seen:
            summary.already_imported = (seen[0], seen[1])
            summaries.append(summary)
            continue
        label = f"{IMPORT_LABEL_PREFIX}{source.name}:{sha[:16]}"
        with Landing(conn, label=label, commit_chunks=False) as landing:
            for number, cells in items.unjoined(path.name):
                reason = (
                    f"item without its order: 订单编号 {number!r} is in no order export "
                    "imported with this item file"
                )
                landing.reject(source.name, number or None, cells, reason)
                summary.rejected[reason.split(":", 1)[0]] += 1
            landing.flush()
            _log_import(conn, summary, path.name, landing.result.batch_id)
        summaries.append(summary)
    return summaries
