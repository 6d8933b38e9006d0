"""The Snowflake generator of the fallback mode: its bit layout, epoch and id decomposition.

A serial is ``elapsed_ms << 22 | worker << 12 | sequence``. Snowflake serials are always
``>= SNOWFLAKE_SERIAL_MIN`` (10**15). This is guaranteed by the epoch, not by an offset: the
generator refuses to issue ids while ``elapsed_ms`` is below ``ceil(10**15 / 2**22)`` ms
(i.e. before 2020-01-03 18:13:38.580 UTC, under three days after the 2020-01-01 epoch), so
every id it does issue is ``>= 10**15``. Ids stay below 2**63 (fits ``bigint``) until 2089.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from ingest.keys.errors import ClockMovedBackwardsError, SnowflakeRangeError
from ingest.keys.format import SNOWFLAKE_SERIAL_MIN

SNOWFLAKE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
SNOWFLAKE_EPOCH_MS = int(SNOWFLAKE_EPOCH.timestamp()) * 1000
TIMESTAMP_BITS = 41
WORKER_BITS = 10
SEQUENCE_BITS = 12
MAX_WORKER_ID = (1 << WORKER_BITS) - 1
MAX_SEQUENCE = (1 << SEQUENCE_BITS) - 1
_TIMESTAMP_SHIFT = WORKER_BITS + SEQUENCE_BITS
# The smallest elapsed time (ms since the epoch) whose ids are all >= SNOWFLAKE_SERIAL_MIN.
SNOWFLAKE_MIN_ELAPSED_MS = -(-SNOWFLAKE_SERIAL_MIN // (1 << _TIMESTAMP_SHIFT))
_MAX_ELAPSED_MS = (1 << TIMESTAMP_BITS) - 1


@dataclass(frozen=True)
class SnowflakeParts:
    """The fields of a Snowflake id."""

    timestamp_ms: int  # unix milliseconds
    worker_id: int
    sequence: int


def split_snowflake(serial: int) -> SnowflakeParts:
    """Decompose a Snowflake id into its unix-ms timestamp, worker id and sequence."""
    return SnowflakeParts(
        timestamp_ms=(serial >> _TIMESTAMP_SHIFT) + SNOWFLAKE_EPOCH_MS,
        worker_id=(serial >> SEQUENCE_BITS) & MAX_WORKER_ID,
        sequence=serial & MAX_SEQUENCE,
    )


class SnowflakeGenerator:
    """Snowflake ids: 41-bit ms since 2020-01-01 UTC, 10-bit worker id, 12-bit sequence.

    Ids from one generator are strictly increasing. When the clock moves backwards the
    generator raises :class:`ClockMovedBackwardsError` instead of issuing ids; when 4096 ids
    have been issued within one millisecond it waits for the next millisecond. ``clock``
    returns unix time in nanoseconds and ``sleep`` takes seconds (both injectable for tests).
    Thread-safe.
    """

    def __init__(
        self,
        worker_id: int,
        clock: Callable[[], int] = time.time_ns,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not 0 <= worker_id <= MAX_WORKER_ID:
            raise ValueError(f"worker_id must be in 0..{MAX_WORKER_ID}, got {worker_id}")
        self.worker_id = worker_id
        self._clock = clock
        self._sleep = sleep
        self._last_ms = -1
        self._sequence = 0
        self._lock = threading.Lock()

    def _now_ms(self) -> int:
        return self._clock() // 1_000_000

    def _wait_for_ms_after(self, last_ms: int) -> int:
        while True:
            now_ns = self._clock()
            now_ms = now_ns // 1_000_000
            if now_ms > last_ms:
                return now_ms
            if now_ms < last_ms:
                raise ClockMovedBackwardsError(last_ms, now_ms)
            self._sleep(((last_ms + 1) * 1_000_000 - now_ns) / 1e9)

    def next_id(self) -> int:
        """The next id; always >= SNOWFLAKE_SERIAL_MIN and < 2**63."""
        with self._lock:
            now_ms = self._now_ms()
            if now_ms < self._last_ms:
                raise ClockMovedBackwardsError(self._last_ms, now_ms)
            if now_ms == self._last_ms:
                sequence = (self._sequence + 1) & MAX_SEQUENCE
                if sequence == 0:
                    now_ms = self._wait_for_ms_after(self._last_ms)
            else:
                sequence = 0
            elapsed = now_ms - SNOWFLAKE_EPOCH_MS
            if not SNOWFLAKE_MIN_ELAPSED_MS <= elapsed <= _MAX_ELAPSED_MS:
                raise SnowflakeRangeError(
                    f"clock reads {now_ms} ms, outside the snowflake window; refusing to issue ids"
                )
            self._last_ms = now_ms
            self._sequence = sequence
            return (elapsed << _TIMESTAMP_SHIFT) | (self.worker_id << SEQUENCE_BITS) | sequence
