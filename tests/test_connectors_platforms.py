"""JD, Pinduoduo, WeChat shop and U8 OpenAPI connectors against the local platform server: 5
simulated days of orders, and the refunds that follow them, in 17 daily pulls of orders and
refunds (U8: orders) with faults injected land exactly the versions each exposed; a wrong
secret on each is one clear error after one request, with no watermark."""

from __future__ import annotations

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
from ingest.platforms.registry import CONNECTORS, PLATFORM_OF_SOURCE, pull_shop, shops_from
from tests.connectors_world import (
    START,
    pacing,
    platform_of,
    pull_everything,
    raw_against,
    shop_env,
    simulated_records,
    watermarks,
)
from tests.pull_process import CLIENT_TIMEOUT

CYCLE = timedelta(hours=24)
CYCLES = 17  # refunds settle up to about 16 days after the orders
SHOPS = [
    ServerShop("jd", "jd_main", {"APP_KEY": "jdk", "APP_SECRET": "jds", "ACCESS_TOKEN": "jdt"}),
    ServerShop("pdd", "pdd_main", {"CLIENT_ID": "pc", "CLIENT_SECRET": "ps", "ACCESS_TOKEN": "pt"}),
    ServerShop("wechat", "wx_main", {"APPID": "wx01", "APPSECRET": "wxs"}),
    ServerShop(
        "u8",
        "u8_main",
        {"FROM_ACCOUNT": "fa", "TO_ACCOUNT": "ta", "APP_KEY": "uk", "APP_SECRET": "us"},
    ),
]
#: Every source pulled: each platform's orders, and its refunds where it has a refund API.
SOURCES = ["jd", "pdd", "wechat", "u8", "jd_refunds", "pdd_refunds", "wechat_refunds"]
FAULTS = Faults(server_error=0.1, throttle=0.05, truncated=0.03, seed=9)
WRONG = {
    "jd": ("APP_SECRET", "JD", "signature"),
    "pdd": ("CLIENT_SECRET", "Pinduoduo", "signature check failed"),
    "wechat": ("APPSECRET", "WeChat shop", "invalid appsecret"),
    "u8": ("APP_SECRET", "Yonyou U8", "app_secret"),
}


@dataclass
class Pulled:
    state: ServerState
    truth: dict[str, list[Version]]
    url: str


@pytest.fixture(scope="module")
def pulled(module_db_url: str) -> Iterator[Pulled]:
    world = World(
        simulated_records(5, 100),
        {shop.platform: [shop.shop_id] for shop in SHOPS},
        LateUpdates(rate=0.2, seed=4),
    )
    state = ServerState(world, SHOPS, now=0, faults=FAULTS)
    truth: dict[str, dict[str, Version]] = {source: {} for source in SOURCES}
    with LocalPlatformServer(state) as server:
        env = shop_env(server.origin, SHOPS)
        for cycle in range(1, CYCLES + 1):
            now = int((START + cycle * CYCLE).timestamp())
            state.now = now
            for version in world.exposed(now):
                lag = CONNECTORS[platform_of(version)].lag.total_seconds()
                if version.modified <= now - lag:
                    truth[version.source][f"{version.key}:{version.payload}"] = version
            pull_everything(module_db_url, env, now)
    yield Pulled(state, {p: list(v.values()) for p, v in truth.items()}, module_db_url)


@pytest.mark.parametrize("source", SOURCES)
def test_raw_holds_exactly_the_exposed_versions(pulled: Pulled, source: str) -> None:
    truth = pulled.truth[source]
    found = raw_against(pulled.url, source_named(source).raw_table, truth)
    assert (found.doubled, found.missing, found.extra) == ([], [], [])
    assert found.rows == len(truth) > 0
    platform = PLATFORM_OF_SOURCE[source]
    faults = {o for (p, o), n in pulled.state.requests.items() if p == platform and n}
    assert {"5xx", "throttled", "ok"} <= faults


@pytest.mark.parametrize("platform", ["jd", "pdd", "wechat", "u8"])
def test_a_wrong_secret_is_one_clear_error(pulled: Pulled, platform: str) -> None:
    state = pulled.state
    name, label, reason = WRONG[platform]
    (right,) = [shop for shop in SHOPS if shop.platform == platform]
    wrong = ServerShop(platform, f"{platform}_new", {**right.credentials, name: "not-it"})
    saved, state.faults = state.faults, Faults()
    before = sum(state.requests.values())
    try:
        with LocalPlatformServer(state) as server:
            (shop,) = shops_from(shop_env(server.origin, [wrong]).get)
            with psycopg.connect(pulled.url) as conn, pytest.raises(PlatformAuthError) as error:
                pull_shop(conn, shop, "orders", pacing=pacing(state.now), timeout=CLIENT_TIMEOUT)
    finally:
        state.faults = saved
    message = str(error.value)
    assert label in message and f"'{platform}_new'" in message and reason in message
    assert "not-it" not in message
    assert sum(state.requests.values()) - before == 1
    assert f"{platform}_new" not in {shop for shop, _ in watermarks(pulled.url)}
