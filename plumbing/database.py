"""Which warehouse to use: the configured URL, or the private server started on demand."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
import psycopg.sql
from psycopg.conninfo import conninfo_to_dict

from plumbing.private_postgres import PrivatePostgres
from plumbing.settings import configured_database_url, home_dir


def private_server(fast: bool = False) -> PrivatePostgres:
    return PrivatePostgres(home=home_dir(), fast=fast)


def database_url(start: bool = True) -> str:
    """The URL in use: ORDERSIGHT_DATABASE_URL, else the private server (started if asked)."""
    configured = configured_database_url()
    if configured:
        return configured
    server = private_server()
    return server.start() if start else server.url()


def sqlalchemy_url(url: str) -> str:
    """The same database for SQLAlchemy with the psycopg 3 driver."""
    scheme, rest = url.split("://", 1)
    if scheme in {"postgres", "postgresql"}:
        return f"postgresql+psycopg://{rest}"
    return url


def connection_parts(url: str) -> dict[str, str]:
    """Host, port, user, password, database and SSL mode of a Postgres URL (for dbt's profile).

    Parsed the way libpq parses it: percent-escapes decoded, query options such as
    `?host=/socket/dir` or `?sslmode=require` honoured.
    """
    parts = conninfo_to_dict(url)
    return {
        "host": str(parts.get("host") or "127.0.0.1"),
        "port": str(parts.get("port") or 5432),
        "user": str(parts.get("user") or "postgres"),
        "password": str(parts.get("password") or ""),
        "dbname": str(parts.get("dbname") or "postgres"),
        "sslmode": str(parts.get("sslmode") or "prefer"),
    }


def dbt_env(url: str) -> dict[str, str]:
    """The environment dbt's profile (dbt_project/profiles.yml) reads its connection from."""
    parts = connection_parts(url)
    return {
        "ORDERSIGHT_PGHOST": parts["host"],
        "ORDERSIGHT_PGPORT": parts["port"],
        "ORDERSIGHT_PGUSER": parts["user"],
        "ORDERSIGHT_PGPASSWORD": parts["password"],
        "ORDERSIGHT_PGDATABASE": parts["dbname"],
        "ORDERSIGHT_PGSSLMODE": parts["sslmode"],
    }


def with_database(url: str, dbname: str) -> str:
    """The same server, user and options as `url`, another database."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{dbname}"))


def create_database(url: str, prefix: str) -> str:
    """A new empty database `<prefix>_<random>` on the server of `url`; its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("create database {}").format(psycopg.sql.Identifier(name)))
    return with_database(url, name)


def drop_database(url: str) -> None:
    """Drop the database of `url`, closing whatever sessions still use it."""
    name = conninfo_to_dict(url)["dbname"]
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(
            psycopg.sql.SQL("drop database {} with (force)").format(psycopg.sql.Identifier(name))
        )
