"""The pull engine's parts: signatures (against published examples), windows, paging order,
backoff, shop configuration."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ingest.platform_server.serve import LocalPlatformServer, local_base_url
from ingest.platform_server.state import Faults, ServerShop, ServerState
from ingest.platform_server.world import World
from ingest.platforms.api import Window
from ingest.platforms.pull import _fetch_window as fetch_window
from ingest.platforms.pull import backward_pages, split_windows
from ingest.platforms.registry import shops_from
from ingest.platforms.retry import Backoff, Pacing
from ingest.platforms.session import ShopSession
from ingest.platforms.shops import ShopConfigError
from ingest.platforms.signing import md5_wrapped_sign, signature_matches
from ingest.platforms.taobao import ORDERS, TAOBAO
from ingest.simulate import RawRecord
from tests.fakes.clock import SteppingClock

T0 = datetime(2026, 10, 1, 2, tzinfo=UTC)


def test_top_md5_signature_matches_the_published_example() -> None:
    # open.taobao.com "API调用方法详解": secret helloworld, sign 66987CB1…
    params = {
        "method": "taobao.item.seller.get",
        "app_key": "12345678",
        "session": "test",
        "timestamp": "2016-01-01 12:00:00",
        "format": "json",
        "v": "2.0",
        "sign_method": "md5",
        "fields": "num_iid,title,nick,price,num",
        "num_iid": "11223344",
    }
    assert md5_wrapped_sign(params, "helloworld") == "66987CB115214E59E6EC978214934FB8"
    assert md5_wrapped_sign({**params, "sign": "X"}, "helloworld") == md5_wrapped_sign(
        params, "helloworld"
    )
    assert md5_wrapped_sign(params, "other") != md5_wrapped_sign(params, "helloworld")


def test_signatures_compare_in_constant_time_and_ignore_hex_case() -> None:
    assert signature_matches("66987CB1", "66987cb1")
    assert not signature_matches("66987CB1", "66987CB2")


def test_windows_cover_the_span_exactly_none_longer_than_the_limit() -> None:
    end = T0 + timedelta(hours=1, minutes=10)
    windows = split_windows(T0, end, timedelta(minutes=30))
    assert [(w.start, w.end) for w in windows] == [
        (T0, T0 + timedelta(minutes=30)),
        (T0 + timedelta(minutes=30), T0 + timedelta(hours=1)),
        (T0 + timedelta(hours=1), end),
    ]
    assert split_windows(end, T0, timedelta(minutes=30)) == []
    with pytest.raises(ValueError, match="positive"):
        split_windows(T0, end, timedelta(0))


def test_descending_platforms_page_from_the_last_page_to_the_first() -> None:
    assert backward_pages(0, 100) == []
    assert backward_pages(100, 100) == []
    assert backward_pages(101, 100) == [2, 1]
    assert backward_pages(250, 100) == [3, 2, 1]


def test_backoff_grows_with_full_jitter_and_honours_the_platform_ban() -> None:
    backoff = Backoff(base_seconds=0.5, cap_seconds=8)
    rng = random.Random(1)
    ceilings = [min(8, 0.5 * 2**n) for n in range(8)]
    for attempt, ceiling in enumerate(ceilings):
        delays = [backoff.delay(attempt, rng, throttled=False, wait=0) for _ in range(200)]
        assert min(delays) >= 0 and max(delays) <= ceiling
        assert max(delays) > ceiling / 2
    assert backoff.delay(0, rng, throttled=True, wait=0) >= backoff.throttle_floor_seconds
    assert backoff.delay(0, rng, throttled=True, wait=5) >= 5


def _env(**extra: str) -> dict[str, str]:
    return {
        "ORDERSIGHT_SHOPS": "taobao:tb_a, taobao:tb_b",
        "ORDERSIGHT_SHOP_TB_A_APP_KEY": "k",
        "ORDERSIGHT_SHOP_TB_A_APP_SECRET": "s",
        "ORDERSIGHT_SHOP_TB_A_SESSION": "x",
        "ORDERSIGHT_SHOP_TB_B_APP_KEY": "k",
        "ORDERSIGHT_SHOP_TB_B_APP_SECRET": "s2",
        "ORDERSIGHT_SHOP_TB_B_SESSION": "y",
        "ORDERSIGHT_SHOP_TB_B_START": "2026-10-01T08:00:00+08:00",
        **extra,
    }


def test_shops_come_from_the_environment_and_never_show_their_secrets() -> None:
    a, b = shops_from(_env().get)
    assert (a.platform, a.shop_id, b.shop_id) == ("taobao", "tb_a", "tb_b")
    assert a.base_url == TAOBAO.default_base_url and a.start is None
    assert b.start == datetime(2026, 10, 1, 0, tzinfo=UTC)
    assert b.credential("APP_SECRET") == "s2" and "s2" not in repr(b)
    assert shops_from({}.get) == []


def test_an_incomplete_shop_configuration_names_the_variable() -> None:
    env = _env()
    del env["ORDERSIGHT_SHOP_TB_B_SESSION"]
    with pytest.raises(ShopConfigError, match="ORDERSIGHT_SHOP_TB_B_SESSION"):
        shops_from(env.get)
    with pytest.raises(ShopConfigError, match="no known platform"):
        shops_from({"ORDERSIGHT_SHOPS": "tmall:x"}.get)
    with pytest.raises(ShopConfigError, match="listed twice"):
        shops_from(_env(ORDERSIGHT_SHOPS="taobao:tb_a,taobao:TB_A").get)


def _trades(count: int) -> list[RawRecord]:
    records = []
    for n in range(count):
        at = T0 + timedelta(seconds=5 * n)
        tid = 4_100_000_000_000_000 + n
        payload = f'{{"tid":{tid},"tid_str":"{tid}","status":"WAIT_SELLER_SEND_GOODS","x":1}}'
        records.append(RawRecord("taobao", str(tid), payload, at))
    return records


def _fetch_first_window(state: ServerState) -> tuple[Any, ShopSession, SteppingClock]:
    """The first 30 minutes of shop tb_a, fetched from a local server over `state`."""
    clock = SteppingClock(start=state.now)
    with LocalPlatformServer(state) as server:
        env = _env(
            ORDERSIGHT_SHOPS="taobao:tb_a",
            ORDERSIGHT_SHOP_TB_A_BASE_URL=local_base_url(server.origin, "taobao"),
        )
        (configured,) = shops_from(env.get)
        pacing = Pacing(clock.time, clock.sleep, random.Random(0))
        with ShopSession(TAOBAO, configured, pacing=pacing, backoff=Backoff(attempts=30)) as s:
            return fetch_window(s, ORDERS, Window(T0, T0 + timedelta(minutes=30))), s, clock


def test_a_taobao_window_reads_the_total_then_pages_backwards_with_only_asked_fields() -> None:
    shop = ServerShop("taobao", "tb_a", {"APP_KEY": "k", "APP_SECRET": "s", "SESSION": "x"})
    world = World(_trades(250), {"taobao": ["tb_a"]})
    state = ServerState(world, [shop], now=int((T0 + timedelta(days=1)).timestamp()))
    fetched, _, _ = _fetch_first_window(state)
    assert [int(params["page_no"]) for _, params in state.calls] == [1, 3, 2, 1]
    assert [page for page, _ in fetched.objects][:1] == [3]
    tids = [obj.native_id for _, obj in fetched.objects]
    assert len(tids) == len(set(tids)) == 250
    assert all('"x"' not in obj.payload for _, obj in fetched.objects), "x was not asked for"


def test_faults_are_retried_on_the_injected_clock() -> None:
    shop = ServerShop("taobao", "tb_a", {"APP_KEY": "k", "APP_SECRET": "s", "SESSION": "x"})
    state = ServerState(
        World(_trades(10), {"taobao": ["tb_a"]}),
        [shop],
        now=int((T0 + timedelta(days=1)).timestamp()),
        faults=Faults(server_error=0.5, throttle=0.3, seed=1),
    )
    fetched, s, clock = _fetch_first_window(state)
    assert len(fetched.objects) == 10
    assert len(clock.sleeps) == s.counts.retries == len(state.calls) - 1 > 0
    assert s.counts.throttled > 0 and min(clock.sleeps) >= 0
