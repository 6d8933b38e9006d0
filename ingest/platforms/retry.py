"""Retrying transient faults: exponential backoff with full jitter, on an injectable clock."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """How long to wait before attempt n+1: uniform in [0, min(cap, base · 2ⁿ)], at least what
    the platform asked for (a throttled response says how long its ban lasts)."""

    attempts: int = 8
    base_seconds: float = 0.5
    cap_seconds: float = 30.0
    throttle_floor_seconds: float = 1.0  # a throttled call never retries sooner than this

    def delay(self, attempt: int, rng: random.Random, *, throttled: bool, wait: float) -> float:
        ceiling = min(self.cap_seconds, self.base_seconds * 2**attempt)
        delay = rng.uniform(0, ceiling)
        if throttled:
            delay = max(delay, self.throttle_floor_seconds)
        return max(delay, wait)


@dataclass
class Pacing:
    """The clock and sleep a pull runs on (a test steps them), and the jitter's randomness."""

    clock: Callable[[], float]
    sleep: Callable[[float], None]
    rng: random.Random
