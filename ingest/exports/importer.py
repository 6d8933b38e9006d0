"""Importing one file into raw: every object landed as received, the rest kept with the reason.

A file lands whole or not at all (one transaction), and once: its SHA-256 is recorded in
`raw.imported_files` in the same transaction, so the same content under any name, or a rerun
after a kill, never lands twice.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg

from domain.sources import Source
from ingest.exports.responses import JSON_SUFFIXES, read_responses
from ingest.load import DEFAULT_CHUNK_ROWS, Landing, Record, ensure_raw_schema
from ingest.platforms.envelopes import Refused

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

    def line(self) -> str:
        """One line for a person: rows, orders, what was kept aside and why."""
        if self.already_imported:
            name, when = self.already_imported
            return (
                f"{self.path}: already imported (same content as {name}, {when:%Y-%m-%d %H:%M} "
                "UTC); nothing landed"
            )
        text = (
            f"{self.path}: {self.landed:,} {self.source} objects landed ({self.native_ids:,} ids)"
        )
        if self.rejected:
            reasons = ", ".join(f"{kind} {count:,}" for kind, count in self.rejected.most_common())
            text += (
                f"; {sum(self.rejected.values()):,} kept aside in raw.rejected_payloads ({reasons})"
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
    progress: Callable[[int], None] | None = None,
    progress_every: int = PROGRESS_EVERY,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> FileSummary:
    """Land the objects of `source` in the file at `path`; a file already imported is skipped."""
    if path.suffix.lower() not in JSON_SUFFIXES:
        raise UnsupportedFile(
            f"{path}: only saved API responses ({', '.join(JSON_SUFFIXES)}) can be imported; "
            "seller-centre export files (CSV, XLSX) are not supported yet"
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
    ids: set[str] = set()
    label = f"{IMPORT_LABEL_PREFIX}{source.name}:{sha[:16]}"
    with Landing(conn, label=label, chunk_rows=chunk_rows, commit_chunks=False) as landing:
        for item in read_responses(path, source):
            if isinstance(item, Refused):
                landing.reject(source.name, None, item.payload, item.reason)
                summary.rejected[item.reason.split(":", 1)[0]] += 1
            else:
                landing.add([Record(source.name, item.native_id, item.payload)])
                summary.landed += 1
                summary.by_api[item.api] += 1
                if item.native_id is not None:
                    ids.add(item.native_id)
            done = summary.landed + sum(summary.rejected.values())
            if progress and done % progress_every == 0:
                progress(done)
        landing.flush()
        conn.execute(
            "insert into raw.imported_files (sha256, file_name, source, batch_id, landed, rejected)"
            " values (%s, %s, %s, %s, %s, %s)",
            (
                sha,
                path.name,
                source.name,
                landing.result.batch_id,
                summary.landed,
                sum(summary.rejected.values()),
            ),
        )
    summary.native_ids = len(ids)
    return summary
