"""Pull every configured shop's entities once, as a process of its own (killed mid-pull by tests).

`python -m tests.pull_process DATABASE_URL NOW` — shops from the environment, the platform's
time NOW (epoch seconds) on a stepping clock (backoff sleeps cost no wall time).
"""

from __future__ import annotations

import os
import random
import sys

import httpx
import psycopg

from ingest.platforms.registry import CONNECTORS, pull_shop, shops_from
from ingest.platforms.retry import Pacing
from tests.fakes.clock import SteppingClock

CLIENT_TIMEOUT = httpx.Timeout(0.25, connect=2.0)


def pull_all(database_url: str, now: float) -> None:
    clock = SteppingClock(start=now)
    pacing = Pacing(clock=clock.time, sleep=clock.sleep, rng=random.Random(1))
    with psycopg.connect(database_url) as conn:
        for shop in shops_from(os.environ.get):
            for entity in CONNECTORS[shop.platform].entities:
                pull_shop(conn, shop, entity, pacing=pacing, timeout=CLIENT_TIMEOUT)


if __name__ == "__main__":
    pull_all(sys.argv[1], float(sys.argv[2]))
