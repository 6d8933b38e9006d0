"""Shared fixtures: one throwaway private Postgres per test session, a fresh database per need."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from plumbing.database import create_database
from plumbing.private_postgres import PrivatePostgres

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
# Under pytest-xdist each worker runs dbt with its own target and log folders, so that two
# builds at once never share a partial-parse file or a run_results.json.
if _worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("DBT_TARGET_PATH", f"target/{_worker}")
    os.environ.setdefault("DBT_LOG_PATH", f"logs/{_worker}")


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePostgres]:
    """A real Postgres owned by this test session (fsync off), stopped at the end."""
    server = PrivatePostgres(home=tmp_path_factory.mktemp("pg"), fast=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fresh_db_url(pg_server: PrivatePostgres) -> str:
    """An empty database of its own for one test."""
    return create_database(pg_server.url(), "t")


@pytest.fixture(scope="module")
def module_db_url(pg_server: PrivatePostgres) -> str:
    """An empty database shared by the tests of one module."""
    return create_database(pg_server.url(), "m")


@pytest.fixture
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ORDERSIGHT_HOME pointed at a temporary folder, no external database configured."""
    home = tmp_path / "home"
    monkeypatch.setenv("ORDERSIGHT_HOME", str(home))
    monkeypatch.delenv("ORDERSIGHT_DATABASE_URL", raising=False)
    return home


DATABASE_FIXTURES = frozenset({"pg_server", "fresh_db_url", "module_db_url"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """One tier per test: e2e as marked, integration when it needs Postgres, else unit."""
    for item in items:
        if item.get_closest_marker("e2e") or item.get_closest_marker("integration"):
            continue
        needs_database = DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        item.add_marker(pytest.mark.integration if needs_database else pytest.mark.unit)
