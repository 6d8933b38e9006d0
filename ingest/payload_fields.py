"""New fields in landed payloads: kept in raw as they came, reported once per source.

A platform may add a field to its objects without notice. Nothing is lost (raw holds the
payload as received); ordersight says so once. Each scan reads only the raw rows landed since
the previous one, takes each payload's object (inside its API envelope when it came in one,
`ingest.platforms.envelopes`), and records every top-level field outside the source's known
list (`ingest.platforms.fields`; the export rows' reserved key aside) in
`raw.payload_fields` with the first payload that carried it.
A field is new in exactly one scan; later scans only count it.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from domain.sources import SOURCES, Source
from ingest.exports.rows import EXPORT_KEY
from ingest.platforms.envelopes import ENVELOPES
from ingest.platforms.fields import KNOWN_FIELDS


@dataclass(frozen=True)
class NewField:
    """A field first seen in this scan."""

    source: str
    field: str
    first_raw_id: int
    payloads: int  # payloads of this scan that carry it


@dataclass(frozen=True)
class FieldScan:
    """What one scan found: fields new in it, and the payloads it read per source."""

    new_fields: tuple[NewField, ...]
    scanned: dict[str, int]

    def new_by_source(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for new in self.new_fields:
            found.setdefault(new.source, []).append(new.field)
        return found


def ensure_fields_schema(conn: psycopg.Connection) -> None:
    """The table of fields seen outside the known lists, and each source's scan position."""
    conn.execute("create schema if not exists raw")
    conn.execute(
        """
        create table if not exists raw.payload_fields (
            source text not null,
            field text not null,
            first_raw_id bigint not null,
            first_seen_at timestamptz not null default now(),
            payloads bigint not null,
            primary key (source, field)
        )
        """
    )
    conn.execute(
        """
        create table if not exists raw.payload_field_scans (
            source text primary key,
            scanned_to_raw_id bigint not null
        )
        """
    )
    conn.commit()


def _object_sql(source: Source) -> str:
    """SQL for the object a payload holds: inside the first envelope it has, else itself."""
    cases = [
        f"when payload #> '{{{','.join(envelope.path)}}}' is not null "
        f"then payload #> '{{{','.join(envelope.path)}}}'"
        for envelope in ENVELOPES.get(source.name, ())
    ]
    return f"case {' '.join(cases)} else payload end" if cases else "payload"


def _scan_source(conn: psycopg.Connection, source: Source) -> tuple[list[NewField], int]:
    position = conn.execute(
        "select scanned_to_raw_id from raw.payload_field_scans where source = %s", (source.name,)
    ).fetchone()
    after = position[0] if position else 0
    last, count = conn.execute(
        f"select max(raw_id), count(*) from raw.{source.raw_table} where raw_id > %s", (after,)
    ).fetchone()
    if not count:
        return [], 0
    rows = conn.execute(
        f"""
        with landed as (
            select raw_id, {_object_sql(source)} as held
            from raw.{source.raw_table}
            where raw_id > %(after)s and raw_id <= %(last)s
        ),
        objects as (
            select landed.raw_id, item
            from landed
            cross join lateral jsonb_array_elements(
                case jsonb_typeof(held) when 'array' then held else jsonb_build_array(held) end
            ) as items (item)
            where jsonb_typeof(item) = 'object'
        )
        select field, min(raw_id), count(distinct raw_id)
        from objects
        cross join lateral jsonb_object_keys(item) as keys (field)
        where not (field = any(%(known)s))
        group by field
        order by field
        """,
        {"after": after, "last": last, "known": sorted({*KNOWN_FIELDS[source.name], EXPORT_KEY})},
    ).fetchall()
    new: list[NewField] = []
    for field, first_raw_id, payloads in rows:
        inserted = conn.execute(
            """
            insert into raw.payload_fields (source, field, first_raw_id, payloads)
            values (%s, %s, %s, %s)
            on conflict (source, field)
            do update set payloads = raw.payload_fields.payloads + excluded.payloads
            returning (xmax = 0)
            """,
            (source.name, field, first_raw_id, payloads),
        ).fetchone()
        if inserted[0]:
            new.append(NewField(source.name, field, first_raw_id, payloads))
    conn.execute(
        """
        insert into raw.payload_field_scans (source, scanned_to_raw_id) values (%s, %s)
        on conflict (source) do update set scanned_to_raw_id = excluded.scanned_to_raw_id
        """,
        (source.name, last),
    )
    return new, count


def scan_new_fields(conn: psycopg.Connection) -> FieldScan:
    """Scan every source's payloads landed since the last scan; one transaction per source."""
    ensure_fields_schema(conn)
    new_fields: list[NewField] = []
    scanned: dict[str, int] = {}
    for source in SOURCES:
        if not _raw_table_exists(conn, source):
            continue
        with conn.transaction():
            new, count = _scan_source(conn, source)
        new_fields += new
        scanned[source.name] = count
    return FieldScan(tuple(new_fields), scanned)


def _raw_table_exists(conn: psycopg.Connection, source: Source) -> bool:
    found = conn.execute("select to_regclass(%s)", (f"raw.{source.raw_table}",)).fetchone()
    return found[0] is not None
