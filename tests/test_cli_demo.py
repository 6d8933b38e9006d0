"""End to end: the `ordersight` command's demo path, on its own private Postgres."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

ORDERSIGHT = str(Path(sys.executable).with_name("ordersight"))


def run(args: list[str], home: Path, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"ORDERSIGHT_DATABASE_URL",
                                                             "DAGSTER_HOME"}}
    env["ORDERSIGHT_HOME"] = str(home)
    return subprocess.run([ORDERSIGHT, *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("demo") / "state"
    yield home
    run(["db", "stop"], home)


def test_demo_prints_summary_and_leaves_a_queryable_warehouse(demo_home: Path) -> None:
    done = run(["demo", "--orders-per-day", "120", "--days", "2", "--seed", "5"], demo_home)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    out = done.stdout
    assert "starting the private Postgres" in out
    assert "ordersight — summary" in out
    orders = int(re.search(r"orders\s+([\d,]+)", out).group(1).replace(",", ""))
    assert orders == 240
    assert re.search(r"vs ground truth\s+100\.00% of 240", out), out[-2000:]
    assert (demo_home / "out" / "summary.txt").read_text().startswith("ordersight — summary")

    url = run(["db", "url"], demo_home).stdout.strip()
    assert url.startswith("postgresql://")
    with psycopg.connect(url) as conn:
        count, distinct, bad = conn.execute(
            "select count(*), count(distinct unified_key), "
            "count(*) filter (where unified_key !~ '^(TB|JD|PDD|WX)[0-9]{13,}$' "
            "or state not in ('created','paid','picking','shipped','completed')) "
            "from marts.fct_orders"
        ).fetchone()
    assert (count, distinct, bad) == (240, 240, 0)


def test_demo_rerun_is_safe(demo_home: Path) -> None:
    done = run(["demo", "--orders-per-day", "120", "--days", "2", "--seed", "5"], demo_home)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "already landed" in done.stdout + done.stderr
    assert re.search(r"orders\s+240\b", done.stdout)


def test_db_stop_stops_the_private_server(demo_home: Path) -> None:
    assert run(["db", "status"], demo_home).returncode == 0
    done = run(["db", "stop"], demo_home)
    assert "stopped the private Postgres" in done.stdout
    assert run(["db", "status"], demo_home).returncode == 3
