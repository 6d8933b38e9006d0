"""A clock that starts at the real time and moves only when something sleeps on it."""

from __future__ import annotations

import threading
import time


class SteppingClock:
    """Injected as `clock=clock.time, sleep=clock.sleep`; records every sleep."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def time(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds
