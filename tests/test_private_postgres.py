"""The private server: starts from nothing, survives a second start, stops cleanly."""

from pathlib import Path

import psycopg
import pytest

from plumbing.private_postgres import PrivatePostgres

pytestmark = pytest.mark.integration  # starts a Postgres of its own


def test_private_server_lifecycle(tmp_path: Path) -> None:
    server = PrivatePostgres(home=tmp_path / "home", fast=True)
    assert not server.is_running()
    url = server.start()
    try:
        assert url.startswith("postgresql://ordersight:")
        password = url.split(":")[2].split("@")[0]
        assert len(password) >= 24 and password not in server.display_url()
        state = tmp_path / "home" / "postgres.json"
        assert state.stat().st_mode & 0o777 == 0o600, "only the owner may read the password"
        without_password = url.replace(f":{password}@", "@")
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(without_password, connect_timeout=5).close()
        assert server.start() == url, "a second start reuses the running server and its port"
        with psycopg.connect(url) as conn:
            assert conn.execute("select current_database()").fetchone() == ("ordersight",)
        assert (tmp_path / "home" / "pgdata" / "PG_VERSION").exists()
    finally:
        assert server.stop() is True
    assert not server.is_running()
    assert server.stop() is False
