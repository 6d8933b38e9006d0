"""Shared fixtures: one throwaway private Postgres per test session, a fresh database per need."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from ordersight.private_postgres import PrivatePostgres

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePostgres]:
    """A real Postgres owned by this test session (fsync off), stopped at the end."""
    server = PrivatePostgres(home=tmp_path_factory.mktemp("pg"), fast=True)
    server.start()
    yield server
    server.stop()


def _new_database(server: PrivatePostgres, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = server.url().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    return server.url().rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def fresh_db_url(pg_server: PrivatePostgres) -> str:
    """An empty database of its own for one test."""
    return _new_database(pg_server, "t")


@pytest.fixture(scope="module")
def module_db_url(pg_server: PrivatePostgres) -> str:
    """An empty database shared by the tests of one module."""
    return _new_database(pg_server, "m")


@pytest.fixture
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ORDERSIGHT_HOME pointed at a temporary folder, no external database configured."""
    home = tmp_path / "home"
    monkeypatch.setenv("ORDERSIGHT_HOME", str(home))
    monkeypatch.delenv("ORDERSIGHT_DATABASE_URL", raising=False)
    return home
