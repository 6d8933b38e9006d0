"""End to end: the `ordersight` command's demo path at its default size, on its own private
Postgres: the summary, the detection targets against ground truth, reports and alerts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.cli_runner import run, state_home

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield from state_home(tmp_path_factory, "demo")


def pct(pattern: str, text: str) -> float:
    found = re.search(pattern + r"\s+([\d.]+)%", text)
    assert found, f"{pattern!r} not in the summary:\n{text[-3000:]}"
    return float(found.group(1))


def test_demo_at_default_size_meets_the_detection_targets(demo_home: Path) -> None:
    done = run(["demo"], demo_home)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    out = done.stdout
    assert "starting the private Postgres" in out
    assert "ordersight — summary" in out
    orders = int(re.search(r"orders\s+([\d,]+)", out).group(1).replace(",", ""))
    assert orders == 4200 * 30
    assert re.search(r"vs ground truth\s+100\.00% of 126,000", out), out[-2000:]
    assert pct("recall", out) >= 99.0
    assert pct("precision", out) >= 99.0
    assert pct("false positives", out) <= 1.0
    assert pct("right reason", out) >= 95.0
    for source in ("TB", "JD", "PDD", "WX", "U8", "LEDGER"):
        assert re.search(rf"^\s+{source}\s+[\d,]+ windows", out, re.M), source
    assert re.search(r"board\s+green [\d,]+, yellow [\d,]+, red [\d,]+", out)
    assert re.search(r"reconciliation latency\s+p50 \d+ s", out)
    assert (demo_home / "out" / "summary.txt").read_text().startswith("ordersight — summary")
    report = demo_home / "out" / "reports" / "2026-10"
    assert (report / "consistency-report-2026-10.html").stat().st_size > 0
    assert (report / "drift-trend.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (report / "channels.csv").read_text().count("\n") == 5
    outbox = [
        json.loads(line)
        for line in (demo_home / "out" / "alerts" / "outbox.jsonl").read_text().splitlines()
    ]
    assert any(a["dedup_key"].endswith("drift_within_threshold") and a["rows"] for a in outbox)

    url = run(["db", "url"], demo_home).stdout.strip()
    assert url.startswith("postgresql://")
    with psycopg.connect(url) as conn:
        count, distinct, bad = conn.execute(
            "select count(*), count(distinct unified_key), "
            "count(*) filter (where unified_key !~ '^(TB|JD|PDD|WX)[0-9]{13,}$' "
            "or state not in ('created','paid','picking','shipped','completed')) "
            "from marts.fct_orders"
        ).fetchone()
    assert (count, distinct, bad) == (126_000, 126_000, 0)


def test_demo_rerun_is_safe_and_does_not_repeat_alerts(demo_home: Path) -> None:
    outbox = demo_home / "out" / "alerts" / "outbox.jsonl"
    alerts_before = outbox.read_text().count("\n")
    done = run(["demo"], demo_home)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "already landed" in done.stdout + done.stderr
    assert re.search(r"orders\s+126,000\b", done.stdout)
    assert "0 alert(s) raised" in done.stdout
    assert outbox.read_text().count("\n") == alerts_before


def test_db_stop_stops_the_private_server(demo_home: Path) -> None:
    assert run(["db", "status"], demo_home).returncode == 0
    done = run(["db", "stop"], demo_home)
    assert "stopped the private Postgres" in done.stdout
    assert run(["db", "status"], demo_home).returncode == 3
