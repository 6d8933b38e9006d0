"""Unified order keys: one permanent key per (platform, native order id).

A unified key is ``<PLATFORM><yyyymmdd><serial>``, e.g. ``JD2026012800123``. Keys live in
``keys.order_keys``; a key is allocated once per (platform, native_id) and never changes.
Allocation has a lock mode and a Snowflake fallback, so that it is never a single point of
failure (docs/domain.md §1 problem 4).

Modules: :mod:`~ingest.keys.format` (the key format, serial ranges, :class:`OrderRef`),
:mod:`~ingest.keys.snowflake` (the Snowflake generator), :mod:`~ingest.keys.errors`,
:mod:`~ingest.keys.schema` (the ``keys`` tables), :mod:`~ingest.keys.allocate` (the two modes,
and why) and :mod:`~ingest.keys.staged` (staged orders without a key).
"""

from ingest.keys.allocate import AllocationResult, allocate_keys
from ingest.keys.errors import (
    ClockMovedBackwardsError,
    KeyAllocationError,
    LockSerialExhaustedError,
    SnowflakeError,
    SnowflakeRangeError,
)
from ingest.keys.format import (
    KEY_PATTERN,
    LOCK_SERIAL_LIMIT,
    SERIAL_MIN_DIGITS,
    SNOWFLAKE_SERIAL_MIN,
    OrderRef,
    format_key,
)
from ingest.keys.schema import ensure_schema, key_for
from ingest.keys.snowflake import (
    MAX_SEQUENCE,
    MAX_WORKER_ID,
    SEQUENCE_BITS,
    SNOWFLAKE_EPOCH,
    SNOWFLAKE_EPOCH_MS,
    SNOWFLAKE_MIN_ELAPSED_MS,
    TIMESTAMP_BITS,
    WORKER_BITS,
    SnowflakeGenerator,
    SnowflakeParts,
    split_snowflake,
)
from ingest.keys.staged import staged_refs_without_key

__all__ = [
    "KEY_PATTERN",
    "LOCK_SERIAL_LIMIT",
    "MAX_SEQUENCE",
    "MAX_WORKER_ID",
    "SEQUENCE_BITS",
    "SERIAL_MIN_DIGITS",
    "SNOWFLAKE_EPOCH",
    "SNOWFLAKE_EPOCH_MS",
    "SNOWFLAKE_MIN_ELAPSED_MS",
    "SNOWFLAKE_SERIAL_MIN",
    "TIMESTAMP_BITS",
    "WORKER_BITS",
    "AllocationResult",
    "ClockMovedBackwardsError",
    "KeyAllocationError",
    "LockSerialExhaustedError",
    "OrderRef",
    "SnowflakeError",
    "SnowflakeGenerator",
    "SnowflakeParts",
    "SnowflakeRangeError",
    "allocate_keys",
    "ensure_schema",
    "format_key",
    "key_for",
    "split_snowflake",
    "staged_refs_without_key",
]
