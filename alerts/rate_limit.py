"""A small sliding-window rate limiter, and one shared limiter per key within the process."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class SlidingWindowLimiter:
    """At most `count` acquisitions in any `seconds`-long window, for every (count, seconds).

    `margin` widens each window a little, so a server that timestamps requests on arrival
    never sees more than its limit even when requests are delayed unevenly in transit.
    Thread-safe; the clock and the sleep are passed per call so they can be injected.
    """

    def __init__(self, limits: Sequence[tuple[int, float]], *, margin: float = 0.05) -> None:
        if not limits or any(count < 1 or seconds <= 0 for count, seconds in limits):
            raise ValueError("limits must be (count >= 1, seconds > 0) pairs")
        self._windows = [(count, seconds + margin, deque()) for count, seconds in limits]
        self._lock = threading.Lock()

    def _wait_needed(self, now: float) -> float:
        wait = 0.0
        for count, seconds, times in self._windows:
            while times and times[0] <= now - seconds:
                times.popleft()
            if len(times) >= count:
                wait = max(wait, times[0] + seconds - now)
        return wait

    def acquire(self, clock: Clock, sleep: Sleep) -> float:
        """Wait (through `sleep`) until a request may go, record it; return seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = clock()
                wait = self._wait_needed(now)
                if wait <= 0:
                    for _count, _seconds, times in self._windows:
                        times.append(now)
                    return waited
            sleep(wait)
            waited += wait


_shared: dict[str, SlidingWindowLimiter] = {}
_shared_lock = threading.Lock()


def shared_limiter(key: str, limits: Sequence[tuple[int, float]]) -> SlidingWindowLimiter:
    """The process-wide limiter for `key` (e.g. one per webhook URL), created on first use."""
    with _shared_lock:
        limiter = _shared.get(key)
        if limiter is None:
            limiter = _shared[key] = SlidingWindowLimiter(limits)
        return limiter
