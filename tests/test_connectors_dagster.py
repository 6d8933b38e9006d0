"""The ingestion assets in Dagster: a Taobao pull materialises with its metadata (windows,
pages, rows, retries, quarantined rows, watermark); a wrong secret fails the asset with one
clear error naming platform, shop and reason."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from dagster import materialize

from ingest.platform_server.serve import LocalPlatformServer
from ingest.platform_server.state import ServerShop, ServerState
from ingest.platform_server.world import World
from orchestration.assets.pulls import PULL_ASSETS
from orchestration.resources import ShopsResource, WarehouseResource
from tests.connectors_world import shop_env, simulated_records, watermarks

SHOP = ServerShop("taobao", "tb_live", {"APP_KEY": "k1", "APP_SECRET": "s1", "SESSION": "x1"})
(TAOBAO_PULL,) = [a for a in PULL_ASSETS if a.key.path[-1] == "api_taobao_orders"]


@pytest.fixture(scope="module")
def server() -> Iterator[LocalPlatformServer]:
    # a simulated day ending now: China midnight two days back, one day of orders
    midnight = datetime.now(UTC).replace(hour=16, minute=0, second=0, microsecond=0)
    start = midnight - timedelta(days=2)
    world = World(simulated_records(1, 40, start), {"taobao": [SHOP.shop_id]})
    state = ServerState(world, [SHOP], now=int(time.time()))
    with LocalPlatformServer(state) as running:
        yield running


def _run(server: LocalPlatformServer, url: str, monkeypatch: pytest.MonkeyPatch, shop: ServerShop):
    since = (datetime.now(UTC) - timedelta(hours=30)).replace(microsecond=0)
    env = shop_env(
        server.origin,
        [shop],
        **{f"ORDERSIGHT_SHOP_{shop.shop_id.upper()}_START": since.isoformat()},
    )
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    server.state.now = int(time.time())
    return materialize(
        [TAOBAO_PULL],
        resources={"warehouse": WarehouseResource(database_url=url), "shops": ShopsResource()},
        raise_on_error=False,
    )


def test_a_pull_materialises_with_its_metadata(
    server: LocalPlatformServer, fresh_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run(server, fresh_db_url, monkeypatch, SHOP)
    assert result.success
    (event,) = result.get_asset_materialization_events()
    metadata = {k: v.value for k, v in event.materialization.metadata.items()}
    assert metadata["shops"] == 1
    assert metadata["windows"] >= 60 and metadata["pages"] >= metadata["windows"]
    assert metadata["rows"] > 0 and metadata["landed"] == metadata["rows"]
    assert metadata["quarantined"] == 0 and metadata["retries"] == 0, metadata
    mark = watermarks(fresh_db_url)["tb_live", "taobao"]
    assert metadata["watermarks"] == {"tb_live": mark.isoformat()}
    again = _run(server, fresh_db_url, monkeypatch, SHOP)
    (second,) = again.get_asset_materialization_events()
    assert second.materialization.metadata["landed"].value == 0, "the overlap lands nothing twice"


def test_a_wrong_secret_fails_the_asset_with_one_clear_error(
    server: LocalPlatformServer, fresh_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = ServerShop("taobao", "tb_live", {**SHOP.credentials, "APP_SECRET": "not-it"})
    before = sum(server.state.requests.values())
    result = _run(server, fresh_db_url, monkeypatch, wrong)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    message = failure.step_failure_data.error.message
    assert "Taobao/Tmall shop 'tb_live' refused: invalid signature" in message
    assert "not-it" not in message
    assert sum(server.state.requests.values()) - before == 1
    assert watermarks(fresh_db_url) == {}
