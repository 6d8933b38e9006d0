"""API connectors end to end: 3 simulated days of orders and their refunds pulled hourly (for 4
days, so that refunds follow) from the local platform server, two shops on one platform, with
5xx, throttling, timeouts, truncated bodies and late updates injected and one pull process
killed mid-pull then rerun: raw holds exactly the (source, native id, version) the platform
exposed — none missing, none doubled. A wrong secret stops at once with one clear error."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import psycopg
import pytest

from domain.sources import source_named
from ingest.platform_server.serve import LocalPlatformServer
from ingest.platform_server.state import Faults, ServerShop, ServerState
from ingest.platform_server.world import LateUpdates, Version, World
from ingest.platforms.errors import PlatformAuthError
from ingest.platforms.registry import CONNECTORS, pull_shop, shops_from
from tests.connectors_world import (
    START,
    pacing,
    pull_everything,
    raw_against,
    shop_env,
    simulated_records,
    watermarks,
)
from tests.pull_process import CLIENT_TIMEOUT

CYCLE = timedelta(hours=1)
CYCLES = 96  # 4 days: the 3 simulated days of orders, and the refunds that follow them
KILLED_CYCLE = 36
KILL_AFTER_REQUESTS = 6
LATE = LateUpdates(rate=0.5, delay_seconds=600, seed=3)
FAULTS = Faults(
    server_error=0.12, throttle=0.05, timeout=0.02, truncated=0.03, timeout_seconds=0.5, seed=5
)
SHOPS = {
    "taobao": [
        ServerShop(
            "taobao",
            "tb_flagship",
            {"APP_KEY": "23001", "APP_SECRET": "s-flag", "SESSION": "6100a"},
        ),
        ServerShop(
            "taobao", "tb_outlet", {"APP_KEY": "23001", "APP_SECRET": "s-flag", "SESSION": "6100b"}
        ),
    ],
}


@dataclass
class Pulled:
    state: ServerState
    truth: dict[str, list[Version]]  # by source: the versions the platform exposed
    late_caught: int  # versions only the overlap window catches
    killed_mid_pull: bool
    url: str


@pytest.fixture(scope="module")
def pulled(module_db_url: str) -> Iterator[Pulled]:
    all_shops = [shop for shops in SHOPS.values() for shop in shops]
    world = World(
        simulated_records(3, 80),
        {p: [s.shop_id for s in shops] for p, shops in SHOPS.items()},
        LATE,
    )
    state = ServerState(world, all_shops, now=0, faults=FAULTS)
    lag = CONNECTORS["taobao"].lag
    truth: dict[str, dict[str, Version]] = {"taobao": {}, "taobao_refunds": {}}
    late_caught = 0
    killed_mid_pull = False
    with LocalPlatformServer(state) as server:
        env = shop_env(server.origin, all_shops)
        previous = previous_end = 0
        for cycle in range(1, CYCLES + 1):
            now = int((START + cycle * CYCLE).timestamp())
            state.now = now
            end = now - int(lag.total_seconds())
            exposed = [v for v in world.exposed(now) if v.modified <= end]
            for version in exposed:
                truth[version.source][f"{version.key}:{version.payload}"] = version
                # before the previous pull's end, but not yet visible to it: only the overlap
                if previous and version.modified <= previous_end and version.visible > previous:
                    late_caught += 1
            if cycle == KILLED_CYCLE:
                killed_mid_pull = _kill_mid_pull(module_db_url, state, env, now, end)
            pull_everything(module_db_url, env, now)
            previous, previous_end = now, end
    exposed = {source: list(versions.values()) for source, versions in truth.items()}
    yield Pulled(state, exposed, late_caught, killed_mid_pull, module_db_url)


def _kill_mid_pull(url: str, state: ServerState, env: dict[str, str], now: int, end: int) -> bool:
    """Run the pull in a process, kill it after a few requests; True if it was mid-pull."""
    before = watermarks(url)
    state.held.clear()
    state.release.clear()
    state.served_pages = 0
    state.hold_after = KILL_AFTER_REQUESTS
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.pull_process", url, str(now)],
        env={**os.environ, **env},
    )
    try:
        assert state.held.wait(timeout=120), "the pull process never reached the hold"
    finally:
        process.kill()
        process.wait(timeout=30)
        state.hold_after = None
        state.release.set()
    after = watermarks(url)
    advanced = any(key not in before or after[key] > before[key] for key in after)
    unfinished = any(mark.timestamp() < end for mark in after.values())
    return advanced and unfinished


@pytest.mark.parametrize("source", ["taobao", "taobao_refunds"])
def test_raw_holds_exactly_the_exposed_versions_none_missing_none_doubled(
    pulled: Pulled, source: str
) -> None:
    assert pulled.killed_mid_pull, "the killed process had landed some windows, not all"
    truth = pulled.truth[source]
    found = raw_against(pulled.url, source_named(source).raw_table, truth)
    assert (found.doubled, found.missing, found.extra) == ([], [], [])
    assert found.rows == len(truth) > 0
    with psycopg.connect(pulled.url) as conn:
        counts = conn.execute(
            "select count(*), count(distinct shop_id) from raw.pulled_versions where source = %s",
            (source,),
        ).fetchone()
    assert counts == (len(truth), 2)
    if source == "taobao":
        assert len({v.key for v in truth}) < len(truth), "several versions per order"


def test_the_faults_happened_and_the_overlap_was_needed(pulled: Pulled) -> None:
    outcomes = {outcome: n for (_, outcome), n in pulled.state.requests.items()}
    total = sum(outcomes.values())
    assert outcomes["5xx"] >= 0.1 * total * 0.7, outcomes
    assert outcomes["throttled"] > 0 and outcomes["timeout"] > 0 and outcomes["truncated"] > 0
    assert pulled.late_caught > 0, "some versions reached the platform only after their window"


def test_watermark_reached_the_end_and_every_row_knows_its_window(pulled: Pulled) -> None:
    end = START + CYCLES * CYCLE - CONNECTORS["taobao"].lag
    marks = watermarks(pulled.url)
    assert {source for _, source in marks} == {"taobao", "taobao_refunds"}
    assert set(marks.values()) == {end}
    with psycopg.connect(pulled.url) as conn:
        outside = conn.execute(
            "select count(*) from raw.pulled_versions v join raw.taobao_trades t "
            "on t.native_id = v.native_id and t.batch_id = v.batch_id "
            "where v.page < 1 or v.window_end - v.window_start > interval '30 minutes'"
        ).fetchone()
        rejected = conn.execute("select count(*) from raw.rejected_payloads").fetchone()
    assert outside == (0,)
    assert rejected == (0,), "an empty page is not a payload"


def test_wrong_secret_is_one_clear_error_no_retry_no_watermark(pulled: Pulled) -> None:
    state = pulled.state
    saved, state.faults = state.faults, Faults()
    before_requests = sum(state.requests.values())
    wrong = ServerShop(
        "taobao", "tb_new", {"APP_KEY": "23001", "APP_SECRET": "not-it", "SESSION": "6100a"}
    )
    try:
        with LocalPlatformServer(state) as server:
            env = shop_env(server.origin, [wrong])
            (shop,) = shops_from(env.get)
            with psycopg.connect(pulled.url) as conn, pytest.raises(PlatformAuthError) as error:
                pull_shop(conn, shop, "orders", pacing=pacing(state.now), timeout=CLIENT_TIMEOUT)
    finally:
        state.faults = saved
    message = str(error.value)
    assert "Taobao/Tmall" in message and "'tb_new'" in message and "invalid signature" in message
    assert "not-it" not in message
    assert sum(state.requests.values()) - before_requests == 1
    assert "tb_new" not in {shop for shop, _ in watermarks(pulled.url)}
