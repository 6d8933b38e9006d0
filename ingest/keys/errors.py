"""The errors of unified-key allocation and of the Snowflake generator."""

from __future__ import annotations


class KeyAllocationError(RuntimeError):
    """Keys could not be allocated."""


class SnowflakeError(KeyAllocationError):
    """The Snowflake generator refuses to issue an id."""


class ClockMovedBackwardsError(SnowflakeError):
    """The clock went back in time; issuing ids now could repeat earlier ones."""

    def __init__(self, last_ms: int, now_ms: int) -> None:
        super().__init__(
            f"clock moved backwards by {last_ms - now_ms} ms; refusing to issue snowflake ids"
        )
        self.last_ms = last_ms
        self.now_ms = now_ms


class SnowflakeRangeError(SnowflakeError):
    """The clock is outside the window in which ids are >= 10**15 and fit in 63 bits."""


class LockSerialExhaustedError(KeyAllocationError):
    """A lock-mode counter would reach LOCK_SERIAL_LIMIT."""
