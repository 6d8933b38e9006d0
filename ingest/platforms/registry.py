"""Every platform connector by name, and pulling one configured shop with it."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping

import httpx
import psycopg

from ingest.platforms.api import Platform
from ingest.platforms.jd import JD
from ingest.platforms.pdd import PDD
from ingest.platforms.pull import PullStats, pull_entity
from ingest.platforms.retry import Backoff, Pacing
from ingest.platforms.session import DEFAULT_TIMEOUT, ShopSession
from ingest.platforms.shops import Getenv, Shop, configured_shops
from ingest.platforms.taobao import TAOBAO
from ingest.platforms.u8 import U8
from ingest.platforms.wechat import WECHAT

CONNECTORS: Mapping[str, Platform] = {
    platform.name: platform for platform in (TAOBAO, JD, PDD, WECHAT, U8)
}
#: The connector serving each pulled source: taobao_refunds → taobao, u8 → u8.
PLATFORM_OF_SOURCE: Mapping[str, str] = {
    entity.source: platform.name
    for platform in CONNECTORS.values()
    for entity in platform.entities.values()
}


def shops_from(getenv: Getenv) -> list[Shop]:
    """The configured shops (ORDERSIGHT_SHOPS and each shop's variables, read now)."""
    return configured_shops(
        getenv,
        {name: (p.default_base_url, p.credential_names) for name, p in CONNECTORS.items()},
    )


def real_pacing() -> Pacing:
    return Pacing(clock=time.time, sleep=time.sleep, rng=random.Random())  # noqa: S311 - jitter


def pull_shop(
    conn: psycopg.Connection,
    shop: Shop,
    entity: str,
    *,
    pacing: Pacing | None = None,
    backoff: Backoff | None = None,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    label: str | None = None,
) -> PullStats:
    """Pull one entity (orders, refunds) of one shop from its watermark to now (`label`: the
    landing batches' label, default `pull:<source>:<shop>`)."""
    platform = CONNECTORS[shop.platform]
    with ShopSession(
        platform, shop, pacing=pacing or real_pacing(), backoff=backoff, timeout=timeout
    ) as session:
        return pull_entity(conn, session, platform.entities[entity], label=label)
