"""Which warehouse to use: the configured URL, or the private server started on demand."""

from __future__ import annotations

from urllib.parse import urlsplit

from ordersight.private_postgres import PrivatePostgres
from ordersight.settings import configured_database_url, home_dir


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


def connection_parts(url: str) -> dict[str, str | int]:
    """Host, port, user, password and database of a Postgres URL (for dbt's profile)."""
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "password": parts.password or "",
        "dbname": (parts.path or "/postgres").lstrip("/") or "postgres",
    }


def dbt_env(url: str) -> dict[str, str]:
    """The environment dbt's profile (dbt_project/profiles.yml) reads its connection from."""
    parts = connection_parts(url)
    return {
        "ORDERSIGHT_PGHOST": str(parts["host"]),
        "ORDERSIGHT_PGPORT": str(parts["port"]),
        "ORDERSIGHT_PGUSER": str(parts["user"]),
        "ORDERSIGHT_PGPASSWORD": str(parts["password"]),
        "ORDERSIGHT_PGDATABASE": str(parts["dbname"]),
    }
