"""API-path throughput: simulated orders and refunds pulled through the local platform server.

Prints its figures; it asserts nothing. The simulator's world is served by the local platform
server (uvicorn on 127.0.0.1) as Taobao (2 shops), JD, Pinduoduo, WeChat shop and U8's
OpenAPI would; every shop is pulled once, window by window from the first day, signed, paged
and landed with its watermark. Runs on a private Postgres of its own under `.ordersight/bench` (or
ORDERSIGHT_DATABASE_URL when set), in a fresh database.

    .venv/bin/python bench/connectors [--orders 20000] [--days 3] [--faults 0.1]
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from domain.china_time import CHINA_TZ
from domain.sources import REFUNDS, source_named
from ingest.platform_server.serve import LocalPlatformServer, local_base_url
from ingest.platform_server.state import Faults, ServerShop, ServerState
from ingest.platform_server.world import World
from ingest.platforms.registry import CONNECTORS, pull_shop
from ingest.platforms.retry import Pacing
from ingest.platforms.shops import Shop
from ingest.simulate import MerchantSimulator, SimulationConfig
from plumbing.database import create_database, drop_database
from plumbing.private_postgres import PrivatePostgres
from plumbing.settings import configured_database_url

KINDS = ("platform orders", "ERP sales orders", "refunds")


def _kind(source: str) -> str:
    """What one object of a pulled source is, for the figures."""
    found = source_named(source)
    if found.entity == REFUNDS:
        return "refunds"
    return "platform orders" if found.is_platform else "ERP sales orders"


SHOPS = [
    ServerShop("taobao", "tb_a", {"APP_KEY": "k", "APP_SECRET": "s", "SESSION": "a"}),
    ServerShop("taobao", "tb_b", {"APP_KEY": "k", "APP_SECRET": "s", "SESSION": "b"}),
    ServerShop("jd", "jd_a", {"APP_KEY": "k", "APP_SECRET": "s", "ACCESS_TOKEN": "t"}),
    ServerShop("pdd", "pdd_a", {"CLIENT_ID": "c", "CLIENT_SECRET": "s", "ACCESS_TOKEN": "t"}),
    ServerShop("wechat", "wx_a", {"APPID": "w", "APPSECRET": "s"}),
    ServerShop(
        "u8", "u8_a", {"FROM_ACCOUNT": "f", "TO_ACCOUNT": "t", "APP_KEY": "k", "APP_SECRET": "s"}
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--faults", type=float, default=0.0, help="share of requests answered 5xx")
    args = parser.parse_args()
    per_day = max(1, args.orders // args.days)
    config = SimulationConfig(orders_per_day=per_day, days=args.days)
    start = datetime.combine(config.start_date, datetime.min.time(), CHINA_TZ).astimezone(UTC)
    end = start + timedelta(days=args.days)
    shops_by_platform: dict[str, list[str]] = {}
    for shop in SHOPS:
        shops_by_platform.setdefault(shop.platform, []).append(shop.shop_id)
    records = (r for chunk in MerchantSimulator(config).chunks() for r in chunk.records)
    world = World(records, shops_by_platform)
    state = ServerState(
        world, SHOPS, now=int(end.timestamp()), faults=Faults(server_error=args.faults)
    )
    exposed = world.exposed(state.now)
    orders = {v.key for v in exposed if _kind(v.source) == "platform orders"}
    print(
        f"bench/connectors: {config.total_orders:,} simulated orders over {args.days} days; "
        f"{len(orders):,} platform orders exposed at the end of the last day (and their U8 sales "
        "orders and refunds)",
        flush=True,
    )

    private = (
        None
        if configured_database_url()
        else PrivatePostgres(home=Path.cwd() / ".ordersight" / "bench")
    )
    base = configured_database_url() or private.start()
    url = create_database(base, "bench_api")
    pacing = Pacing(clock=lambda: float(state.now), sleep=time.sleep, rng=random.Random(0))
    totals = {"windows": 0, "pages": 0, "landed": 0, "requests": 0, "retries": 0}
    try:
        with LocalPlatformServer(state) as server, psycopg.connect(url) as conn:
            began = time.perf_counter()
            for served in SHOPS:
                shop = Shop(
                    served.platform,
                    served.shop_id,
                    local_base_url(server.origin, served.platform),
                    served.credentials,
                    start,
                )
                for entity in CONNECTORS[served.platform].entities:
                    stats = pull_shop(conn, shop, entity, pacing=pacing)
                    for name in totals:
                        totals[name] += getattr(stats, name)
            seconds = time.perf_counter() - began
            landed = dict.fromkeys(KINDS, 0)
            for source, objects in conn.execute(
                "select source, count(distinct native_id) from raw.pulled_versions group by 1"
            ).fetchall():
                landed[_kind(source)] += objects
            landed_orders = sum(landed.values())
    finally:
        drop_database(url)
        if private:
            private.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"pulled {landed_orders:,} objects ("
        + ", ".join(f"{n:,} {kind}" for kind, n in landed.items())
        + f"; {totals['landed']:,} versions) from {len(SHOPS)} "
        f"shops in {seconds:.1f} s: {landed_orders / seconds:,.0f} objects/s "
        f"({landed['platform orders'] / seconds:,.0f} platform orders/s), "
        f"{totals['landed'] / seconds:,.0f} versions/s",
        flush=True,
    )
    print(
        f"{totals['windows']:,} windows, {totals['pages']:,} pages, {totals['requests']:,} "
        f"requests ({totals['requests'] / seconds:,.0f}/s), {totals['retries']:,} retries; "
        f"peak RSS {rss:,.0f} MB (server and client in one process)",
        flush=True,
    )


if __name__ == "__main__":
    main()
