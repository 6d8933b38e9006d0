"""The private server: starts from nothing, survives a second start, stops cleanly."""

from pathlib import Path

import psycopg

from ordersight.private_postgres import PrivatePostgres


def test_private_server_lifecycle(tmp_path: Path) -> None:
    server = PrivatePostgres(home=tmp_path / "home", fast=True)
    assert not server.is_running()
    url = server.start()
    try:
        assert url.startswith("postgresql://ordersight@127.0.0.1:")
        assert server.start() == url, "a second start reuses the running server and its port"
        with psycopg.connect(url) as conn:
            assert conn.execute("select current_database()").fetchone() == ("ordersight",)
        assert (tmp_path / "home" / "pgdata" / "PG_VERSION").exists()
    finally:
        assert server.stop() is True
    assert not server.is_running()
    assert server.stop() is False
