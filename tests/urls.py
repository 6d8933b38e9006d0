"""Database URLs for logging in as another role in tests."""

from __future__ import annotations

from psycopg.conninfo import conninfo_to_dict, make_conninfo


def login_as(url: str, user: str, password: str, *, dbname: str | None = None) -> str:
    """`url` with another user and password (and database, if given), as a libpq DSN."""
    parts = conninfo_to_dict(url)
    parts.update(user=user, password=password)
    if dbname is not None:
        parts["dbname"] = dbname
    return make_conninfo(**parts)
