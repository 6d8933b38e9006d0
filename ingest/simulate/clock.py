"""Order creation instants: ascending within each China-time day, following an intraday curve.

Streams in O(1) memory: ascending uniform order statistics are generated one at a time
(Bentley & Saxe) and mapped through the inverse CDF of the hourly traffic curve.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterator
from datetime import date

from ingest.simulate.formats import DAY_MS, HOUR_MS, china_midnight_ms

# Relative order volume per China-time hour 00..23 (night trough, lunch and evening peaks).
HOURLY_WEIGHTS: tuple[float, ...] = (
    3.0,
    1.8,
    1.0,
    0.6,
    0.4,
    0.4,
    0.8,
    1.8,
    3.0,
    4.5,
    5.5,
    5.6,
    5.0,
    5.0,
    5.4,
    5.5,
    5.3,
    5.0,
    4.8,
    5.5,
    6.8,
    7.5,
    6.8,
    4.8,
)


class CreationClock:
    """Yields `per_day` ascending creation instants (epoch ms) for each of `days` days."""

    def __init__(self, rng: random.Random, start: date, days: int, per_day: int) -> None:
        self._rng = rng
        self._start_ms = china_midnight_ms(start)
        self._days = days
        self._per_day = per_day
        total = sum(HOURLY_WEIGHTS)
        self._share = tuple(w / total for w in HOURLY_WEIGHTS)
        cumulative = [0.0]
        for share in self._share:
            cumulative.append(cumulative[-1] + share)
        self._cumulative = tuple(cumulative)

    def _offset_in_day(self, u: float) -> int:
        hour = min(bisect_right(self._cumulative, u) - 1, 23)
        within = (u - self._cumulative[hour]) / self._share[hour]
        return min(int((hour + within) * HOUR_MS), DAY_MS - 1)

    def __iter__(self) -> Iterator[int]:
        random_ = self._rng.random
        cumulative, share = self._cumulative, self._share
        for day in range(self._days):
            base = self._start_ms + day * DAY_MS
            remaining_max = 1.0
            for k in range(self._per_day, 0, -1):
                remaining_max *= random_() ** (1.0 / k)
                u = 1.0 - remaining_max
                hour = bisect_right(cumulative, u) - 1
                if hour > 23:
                    hour = 23
                offset = int((hour + (u - cumulative[hour]) / share[hour]) * HOUR_MS)
                yield base + (offset if offset < DAY_MS else DAY_MS - 1)
