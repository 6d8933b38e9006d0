"""Shared by the connector tests: a simulated world, its shops' environment, pulls on a
stepping clock, and raw compared with what the platform exposed."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg

from ingest.platform_server.serve import local_base_url
from ingest.platform_server.state import ServerShop
from ingest.platform_server.world import Version
from ingest.platforms.registry import CONNECTORS, PLATFORM_OF_SOURCE, pull_shop, shops_from
from ingest.platforms.retry import Pacing
from ingest.simulate import MerchantSimulator, RawRecord, SimulationConfig
from tests.fakes.clock import SteppingClock
from tests.pull_process import CLIENT_TIMEOUT

START = datetime(2026, 9, 30, 16, tzinfo=UTC)  # 2026-10-01 00:00 China time, the first day


def shop_env(origin: str, shops: Iterable[ServerShop], **override: str) -> dict[str, str]:
    """The environment configuring `shops` against the local server at `origin`."""
    shops = list(shops)
    env = {"ORDERSIGHT_SHOPS": ",".join(f"{s.platform}:{s.shop_id}" for s in shops)}
    for shop in shops:
        prefix = f"ORDERSIGHT_SHOP_{shop.shop_id.upper()}_"
        env |= {prefix + name: value for name, value in shop.credentials.items()}
        env[prefix + "BASE_URL"] = local_base_url(origin, shop.platform)
        env[prefix + "START"] = START.isoformat()
    return env | override


def simulated_records(
    days: int, orders_per_day: int, start: datetime = START
) -> Iterator[RawRecord]:
    """The simulator's records of `days` China-time days from `start` (a China midnight)."""
    config = SimulationConfig(
        orders_per_day=orders_per_day, days=days, start_date=start.date() + timedelta(1)
    )
    for chunk in MerchantSimulator(config).chunks():
        yield from chunk.records


def pacing(now: float) -> Pacing:
    clock = SteppingClock(start=now)
    return Pacing(clock=clock.time, sleep=clock.sleep, rng=random.Random(2))


def pull_everything(url: str, env: dict[str, str], now: float) -> None:
    """Pull every entity (orders, refunds) of every configured shop once, at platform time
    `now`."""
    with psycopg.connect(url) as conn:
        for shop in shops_from(env.get):
            for entity in CONNECTORS[shop.platform].entities:
                pull_shop(conn, shop, entity, pacing=pacing(now), timeout=CLIENT_TIMEOUT)


def watermarks(url: str) -> dict[tuple[str, str], datetime]:
    """Each (shop, source)'s watermark."""
    with psycopg.connect(url) as conn:
        rows = conn.execute("select shop_id, source, watermark from raw.pull_watermarks")
        return {(shop, source): mark for shop, source, mark in rows.fetchall()}


def platform_of(version: Version) -> str:
    """The platform serving a version (its source's platform: taobao for taobao_refunds)."""
    return PLATFORM_OF_SOURCE[version.source]


@dataclass
class Differences:
    doubled: list[tuple]
    missing: list[tuple]
    extra: list[tuple]
    rows: int


def raw_against(url: str, table: str, truth: Iterable[Version]) -> Differences:
    """raw.`table` compared with the versions the platform exposed (as jsonb, by native id)."""
    with psycopg.connect(url) as conn:
        conn.execute("create temp table truth (native_id text, payload jsonb)")
        with conn.cursor().copy("copy truth from stdin") as copy:
            for version in truth:
                copy.write_row((version.native_id, version.payload))
        same = "t.native_id is not distinct from r.native_id and t.payload = r.payload"  # noqa: S608
        doubled = conn.execute(
            f"select native_id, count(*) from raw.{table} group by native_id, payload "
            "having count(*) > 1"
        ).fetchall()
        missing = conn.execute(
            f"select native_id from truth t where not exists (select 1 from raw.{table} r "
            f"where {same})"
        ).fetchall()
        extra = conn.execute(
            f"select native_id from raw.{table} r where not exists (select 1 from truth t "
            f"where {same})"
        ).fetchall()
        (rows,) = conn.execute(f"select count(*) from raw.{table}").fetchone() or (0,)
    return Differences(doubled, missing, extra, rows)
