"""A simulated merchant's platform data served by the local platform server and pulled back
through the API connectors, hour by simulated hour, as a merchant's shops would be pulled.

`make demo` uses it: every record of a source a connector pulls (platform orders and refunds,
U8 sales orders) is served, the rest (the ledger, junk that is no JSON object with an id) lands
directly. The server's clock steps through the simulated period; each step pulls every shop's
every entity from its watermark, so raw holds what real incremental pulls would have seen: a
version superseded before the next pull is never seen, as on the real platforms.
"""

from __future__ import annotations

import random
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import psycopg

from ingest import exact_json
from ingest.platform_server.serve import LocalPlatformServer, local_base_url
from ingest.platform_server.state import ServerShop, ServerState
from ingest.platform_server.world import World
from ingest.platforms.registry import CONNECTORS, PLATFORM_OF_SOURCE, pull_shop
from ingest.platforms.retry import Pacing
from ingest.platforms.shops import Shop
from ingest.simulate import RawRecord

#: The demo merchant's shops: two on Taobao, one on each other platform, one U8 account.
DEMO_SHOP_IDS: dict[str, tuple[str, ...]] = {
    "taobao": ("tb_flagship", "tb_outlet"),
    "jd": ("jd_main",),
    "pdd": ("pdd_main",),
    "wechat": ("wx_main",),
    "u8": ("u8_main",),
}
PULL_EVERY = timedelta(hours=1)


@dataclass
class ReplayStats:
    """What the replay pulled: versions landed per source, and the engine's counts."""

    cycles: int = 0
    landed: Counter[str] = field(default_factory=Counter)
    windows: int = 0
    pages: int = 0
    requests: int = 0
    retries: int = 0


def is_servable(record: RawRecord) -> bool:
    """Whether a platform API could serve the record: a connector's source, an id, an object."""
    if record.source not in PLATFORM_OF_SOURCE or record.native_id is None:
        return False
    try:
        return isinstance(exact_json.loads(record.payload), dict)
    except ValueError:
        return False


def split_records(records: Iterable[RawRecord]) -> tuple[list[RawRecord], list[RawRecord]]:
    """(served through the platform server, landed directly)."""
    served: list[RawRecord] = []
    direct: list[RawRecord] = []
    for record in records:
        (served if is_servable(record) else direct).append(record)
    return served, direct


def demo_shops() -> list[ServerShop]:
    """The demo shops with credentials made up for this run (never printed)."""
    return [
        ServerShop(
            platform,
            shop_id,
            {name: secrets.token_urlsafe(12) for name in CONNECTORS[platform].credential_names},
        )
        for platform, shop_ids in DEMO_SHOP_IDS.items()
        for shop_id in shop_ids
    ]


def _pull_times(start: datetime, end: datetime) -> Iterator[datetime]:
    at = start + PULL_EVERY
    while at < end + PULL_EVERY:
        yield at
        at += PULL_EVERY


def replay_through_server(
    url: str,
    records: list[RawRecord],
    *,
    label: str,
    progress: Callable[[int, int, ReplayStats], None] | None = None,
) -> ReplayStats:
    """Serve `records` and pull them into the warehouse at `url`, batches labelled `label:…`."""
    stats = ReplayStats()
    if not records:
        return stats
    shops = demo_shops()
    world = World(records, {p: list(ids) for p, ids in DEMO_SHOP_IDS.items()})
    first = min(record.emitted_at for record in records).astimezone(UTC)
    start = first.replace(minute=0, second=0, microsecond=0)
    longest_lag = max(platform.lag for platform in CONNECTORS.values())
    end = datetime.fromtimestamp(world.last_modified(), UTC) + longest_lag
    times = list(_pull_times(start, end))
    state = ServerState(world, shops, now=int(start.timestamp()))
    pacing = Pacing(clock=lambda: float(state.now), sleep=time.sleep, rng=random.Random(0))
    with LocalPlatformServer(state) as server, psycopg.connect(url) as conn:
        pulled = [
            Shop(
                s.platform,
                s.shop_id,
                local_base_url(server.origin, s.platform),
                s.credentials,
                start,
            )
            for s in shops
        ]
        for done, at in enumerate(times, start=1):
            state.now = int(at.timestamp())
            for shop in pulled:
                for entity, api in CONNECTORS[shop.platform].entities.items():
                    result = pull_shop(
                        conn, shop, entity, pacing=pacing, label=f"{label}:{api.source}"
                    )
                    stats.landed[api.source] += result.landed
                    stats.windows += result.windows
                    stats.pages += result.pages
                    stats.requests += result.requests
                    stats.retries += result.retries
            stats.cycles = done
            if progress:
                progress(done, len(times), stats)
    return stats
