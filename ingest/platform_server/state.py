"""What the local platform server knows and counts: shops and secrets, its clock, its faults."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from ingest.platform_server.world import World


@dataclass(frozen=True)
class ServerShop:
    """A shop as the platform knows it: its app's key and secret, its authorisation."""

    platform: str
    shop_id: str
    credentials: Mapping[str, str]


@dataclass
class Faults:
    """Per-request fault probabilities, drawn in this order (at most one per request)."""

    server_error: float = 0.0  # HTTP 502
    throttle: float = 0.0  # the platform's throttling error
    timeout: float = 0.0  # no answer for `timeout_seconds`
    truncated: float = 0.0  # the body cut in half
    timeout_seconds: float = 1.0
    seed: int = 0


@dataclass
class ServerState:
    """Everything the app reads and counts; tests change `now` and `faults` between pulls."""

    world: World
    shops: list[ServerShop]
    now: int  # epoch seconds: the platform's current time
    faults: Faults = field(default_factory=Faults)
    hold_after: int | None = None  # list requests answered before every further one waits
    requests: Counter[tuple[str, str]] = field(default_factory=Counter)  # (platform, outcome)
    by_shop: Counter[str] = field(default_factory=Counter)  # requests naming each shop
    served_pages: int = 0
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # what was asked
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _rng: random.Random | None = None

    def draw_fault(self) -> str | None:
        with self.lock:
            if self._rng is None:
                self._rng = random.Random(f"faults:{self.faults.seed}")
            roll = self._rng.random()
        faults = self.faults
        for name in ("server_error", "throttle", "timeout", "truncated"):
            chance = getattr(faults, name)
            if roll < chance:
                return name
            roll -= chance
        return None

    def shops_of(self, platform: str) -> list[ServerShop]:
        return [shop for shop in self.shops if shop.platform == platform]

    def count(self, platform: str, outcome: str, shop: str | None = None) -> None:
        with self.lock:
            self.requests[platform, outcome] += 1
            if shop:
                self.by_shop[shop] += 1

    def should_hold(self) -> bool:
        with self.lock:
            if self.hold_after is None or self.served_pages < self.hold_after:
                self.served_pages += 1
                return False
        self.held.set()
        return True
