"""Small, bounded SQL helpers (psycopg 3) used next to Great Expectations.

GE computes the expectations on the server; these helpers check that the tables exist before
GE is involved and fetch the few offending rows a failure reports, never whole tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import psycopg

CONNECT_TIMEOUT_S = 10


class DatabaseUnavailable(Exception):
    """The database could not be reached with the URL given."""


def libpq_url(url: str) -> str:
    """The URL for psycopg/libpq: a SQLAlchemy ``postgresql+driver://`` scheme is dropped."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme.startswith("postgresql+"):
        return f"postgresql://{rest}"
    return url


def connect(database_url: str) -> psycopg.Connection[Any]:
    """An autocommit connection in UTC; :class:`DatabaseUnavailable` when it cannot be made."""
    try:
        conn = psycopg.connect(
            libpq_url(database_url), autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
        )
    except psycopg.Error as exc:
        raise DatabaseUnavailable(first_line(exc)) from exc
    conn.execute("set time zone 'UTC'")
    return conn


def missing_tables(conn: psycopg.Connection[Any], tables: Iterable[str]) -> list[str]:
    """The qualified table names (``schema.table``) among ``tables`` that do not exist."""
    missing = []
    for table in tables:
        row = conn.execute("select to_regclass(%s) is not null", (table,)).fetchone()
        if not row or not row[0]:
            missing.append(table)
    return missing


def fetch_dicts(
    conn: psycopg.Connection[Any], sql: str, params: Mapping[str, Any] | Sequence[Any] = ()
) -> list[dict[str, Any]]:
    """Rows of a (bounded) query as dicts keyed by column name."""
    with conn.cursor() as cur:
        cur.execute(sql, params)  # type: ignore[arg-type]
        names = [column.name for column in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (driver errors carry SQL on later lines)."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
