"""Allocating unified keys: the lock mode and its Snowflake fallback.

A key is allocated once per (platform, native_id) and never changes (``unique (platform,
native_id)`` plus ``insert … on conflict do nothing`` everywhere). Allocation must never be a
single point of failure (docs/domain.md §1 problem 4), so it has two modes:

* **lock** (normal): per (platform, creation date) a row in ``keys.serial_counters`` is locked
  under ``set local lock_timeout`` and a block of consecutive serials is reserved at once.
  Lock serials are ``1 … LOCK_SERIAL_LIMIT - 1`` (below 10**12).
* **snowflake** (fallback): when the counter lock cannot be had within the timeout, or anything
  else in the lock path fails with a database error (or ``force_fallback`` is set), the group
  gets Snowflake ids from :class:`SnowflakeGenerator` instead, flagged ``mode = 'snowflake'``.
  Snowflake serials are always ``>= SNOWFLAKE_SERIAL_MIN`` (10**15), by the generator's epoch
  (see :mod:`ingest.keys.snowflake`), so the two ranges never meet.

Concurrent allocators (several processes, either mode) converge on exactly one key per native
id: rows are inserted with ``on conflict (platform, native_id) do nothing`` in a fixed
(native_id) order, one (platform, date) group per transaction, so inserts of the same ids wait
for each other instead of deadlocking and the loser simply keeps the winner's key.

Large inputs are streamed in batches: each batch is COPYed into a temporary table, and each
group is allocated with a few set-based statements (no round trip per row).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

import psycopg
from psycopg import errors
from psycopg.pq import TransactionStatus

from ingest.keys.errors import KeyAllocationError, LockSerialExhaustedError
from ingest.keys.format import _SQL_KEY_EXPR, LOCK_SERIAL_LIMIT, OrderRef
from ingest.keys.snowflake import MAX_WORKER_ID, SnowflakeGenerator

# The package's logger, as before ingest.keys was split into modules.
logger = logging.getLogger(__package__)

_SNOWFLAKE_RETRIES = 3
_INCOMING_NAME = "_keys_incoming"
_INCOMING = f"pg_temp.{_INCOMING_NAME}"  # per-session staging table of one batch


@dataclass
class AllocationResult:
    """What one :func:`allocate_keys` call did.

    ``allocated_lock + allocated_snowflake + already_present + duplicate_refs`` equals the
    number of refs passed in. ``already_present`` counts distinct refs that had a key before
    (or got one from a concurrent allocator). ``fallback_reasons`` counts, per reason, the
    (platform, date) groups that were allocated in snowflake mode.
    """

    allocated_lock: int = 0
    allocated_snowflake: int = 0
    already_present: int = 0
    duplicate_refs: int = 0
    fallback_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def allocated(self) -> int:
        return self.allocated_lock + self.allocated_snowflake

    @property
    def fallback_groups(self) -> int:
        return sum(self.fallback_reasons.values())


def allocate_keys(
    conn: psycopg.Connection,
    refs: Iterable[OrderRef],
    *,
    lock_timeout_ms: int = 200,
    force_fallback: bool = False,
    batch_size: int = 5000,
    generator: SnowflakeGenerator | None = None,
) -> AllocationResult:
    """Give every ref that has no unified key yet exactly one, and return what was done.

    ``refs`` is consumed in batches of ``batch_size``. Per batch and per (platform, date) group
    the lock mode is tried first, with ``lock_timeout_ms`` as the lock timeout; on a lock
    timeout or any other database error the group is rolled back and allocated in snowflake
    mode. ``force_fallback`` skips the lock mode. ``generator`` is the Snowflake generator to
    use; by default one is created on first need with a worker id from
    ``keys.snowflake_worker_seq``. Each group is committed on its own, so ``conn`` must not be
    inside a transaction. Requires :func:`ensure_schema`.

    Raises if the snowflake mode itself fails (e.g. :class:`ClockMovedBackwardsError`); the
    groups committed before that keep their keys and a re-run picks up the rest.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    if lock_timeout_ms < 1:
        raise ValueError("lock_timeout_ms must be >= 1")
    if conn.info.transaction_status != TransactionStatus.IDLE:
        raise KeyAllocationError(
            "allocate_keys commits per group; call it on a connection with no open transaction"
        )

    result = AllocationResult()
    reasons: Counter[str] = Counter()
    snowflake = _LazySnowflake(conn, generator)
    started = time.monotonic()

    with conn.transaction():
        conn.execute(
            f"create temp table if not exists {_INCOMING_NAME} "
            "(platform text not null, native_id text not null, created_date date not null)"
        )
        conn.execute(
            f"create index if not exists _keys_incoming_group on {_INCOMING} "
            "(platform, created_date, native_id)"
        )

    for batch in _batches(refs, batch_size):
        # First occurrence wins when a native id repeats within the batch.
        unique = {(ref.platform, ref.native_id): ref for ref in reversed(batch)}
        result.duplicate_refs += len(batch) - len(unique)
        groups = _load_batch(conn, unique.values())
        allocated_here = 0
        for platform, created_date, count in groups:
            reason = "forced" if force_fallback else None
            if reason is None:
                try:
                    n = _allocate_group_lock(conn, platform, created_date, count, lock_timeout_ms)
                    result.allocated_lock += n
                    allocated_here += n
                    continue
                except psycopg.Error as exc:
                    if conn.closed or conn.broken:
                        raise
                    reason = _fallback_reason(exc)
                except LockSerialExhaustedError:
                    reason = "serial_exhausted"
                logger.debug(
                    "lock allocation of %s %s fell back to snowflake: %s",
                    platform,
                    created_date,
                    reason,
                )
            reasons[reason] += 1
            n = _allocate_group_snowflake(conn, platform, created_date, count, snowflake)
            result.allocated_snowflake += n
            allocated_here += n
        result.already_present += len(unique) - allocated_here

    with conn.transaction():
        conn.execute(f"truncate {_INCOMING}")

    result.fallback_reasons = dict(reasons)
    elapsed = time.monotonic() - started
    if reasons:
        logger.warning(
            "unified keys: %d groups fell back to snowflake mode (%s); "
            "%d keys allocated in lock mode, %d in snowflake mode, %d already present",
            result.fallback_groups,
            ", ".join(f"{r}: {c}" for r, c in sorted(reasons.items())),
            result.allocated_lock,
            result.allocated_snowflake,
            result.already_present,
        )
    else:
        logger.info(
            "unified keys: %d allocated in lock mode, %d already present (%.2f s)",
            result.allocated_lock,
            result.already_present,
            elapsed,
        )
    return result


def _batches(refs: Iterable[OrderRef], size: int) -> Iterator[list[OrderRef]]:
    iterator = iter(refs)
    while batch := list(islice(iterator, size)):
        yield batch


def _fallback_reason(exc: psycopg.Error) -> str:
    if isinstance(exc, errors.LockNotAvailable):
        return "lock_timeout"
    # Class name and SQLSTATE only: messages can carry order ids.
    return f"db_error:{type(exc).__name__}({exc.sqlstate or '-'})"


def _load_batch(conn: psycopg.Connection, refs: Iterable[OrderRef]) -> list[tuple[str, date, int]]:
    """COPY one batch into the temp table, drop the refs that already have a key, and return
    the groups left as (platform, created_date, count), in a fixed order."""
    with conn.transaction():
        conn.execute(f"truncate {_INCOMING}")
        with conn.cursor().copy(
            f"copy {_INCOMING} (platform, native_id, created_date) from stdin"
        ) as copy:
            for ref in refs:
                copy.write_row((ref.platform, ref.native_id, ref.created_date))
        # A correlated scalar subquery, not "exists": Postgres never turns it into a join, so
        # this is one unique-index probe per incoming row whatever the table statistics say
        # (a hash anti-join would read all of keys.order_keys once per batch).
        conn.execute(
            f"""
            delete from {_INCOMING} i
            where (
                select true from keys.order_keys k
                where k.platform = i.platform and k.native_id = i.native_id
            )
            """
        )
        rows = conn.execute(
            f"""
            select platform, created_date, count(*) from {_INCOMING}
            group by platform, created_date
            order by platform, created_date
            """
        ).fetchall()
    return [(str(p), d, int(n)) for p, d, n in rows]


_GROUP = f"""
    select native_id from {_INCOMING}
    where platform = %(platform)s and created_date = %(created_date)s
"""


def _allocate_group_lock(
    conn: psycopg.Connection, platform: str, created_date: date, count: int, lock_timeout_ms: int
) -> int:
    """Lock mode for one group, in one transaction; returns how many keys it inserted.

    ``count`` serials are reserved, one per ref of the group that had no key when the batch
    was loaded. A ref that a concurrent allocator keyed since then is skipped by
    ``on conflict``, leaving a gap in the serials (harmless).
    """
    params = {"platform": platform, "created_date": created_date}
    with conn.transaction():
        conn.execute("select set_config('lock_timeout', %s, true)", (f"{lock_timeout_ms}ms",))
        conn.execute(
            "insert into keys.serial_counters (platform, created_date, last_serial) "
            "values (%(platform)s, %(created_date)s, 0) on conflict do nothing",
            params,
        )
        row = conn.execute(
            "select last_serial from keys.serial_counters "
            "where platform = %(platform)s and created_date = %(created_date)s for update",
            params,
        ).fetchone()
        assert row is not None
        base = int(row[0])
        if base + count >= LOCK_SERIAL_LIMIT:
            raise LockSerialExhaustedError(
                f"{platform} {created_date}: lock serials would reach {LOCK_SERIAL_LIMIT}"
            )
        key_expr = _SQL_KEY_EXPR.format(p="%(platform)s", d="%(created_date)s", s="serial")
        cur = conn.execute(
            f"""
            insert into keys.order_keys
                (unified_key, platform, native_id, created_date, serial, mode)
            select {key_expr}, %(platform)s, native_id, %(created_date)s, serial, 'lock'
            from (
                select g.native_id,
                       %(base)s::bigint + row_number() over (order by g.native_id) as serial
                from ({_GROUP}) g
            ) numbered
            order by native_id
            on conflict (platform, native_id) do nothing
            """,
            {**params, "base": base},
        )
        inserted = cur.rowcount
        conn.execute(
            "update keys.serial_counters set last_serial = %(last)s "
            "where platform = %(platform)s and created_date = %(created_date)s",
            {**params, "last": base + count},
        )
    return inserted


class _LazySnowflake:
    """The Snowflake generator of one allocate_keys call, with a worker id taken on first use."""

    def __init__(self, conn: psycopg.Connection, generator: SnowflakeGenerator | None) -> None:
        self._conn = conn
        self._generator = generator

    def get(self) -> SnowflakeGenerator:
        if self._generator is None:
            with self._conn.transaction():
                row = self._conn.execute(
                    "select nextval('keys.snowflake_worker_seq') %% %s", (MAX_WORKER_ID + 1,)
                ).fetchone()
            assert row is not None
            self._generator = SnowflakeGenerator(int(row[0]))
            logger.debug("snowflake worker id %d", self._generator.worker_id)
        return self._generator


def _allocate_group_snowflake(
    conn: psycopg.Connection,
    platform: str,
    created_date: date,
    count: int,
    snowflake: _LazySnowflake,
) -> int:
    """Snowflake mode for one group, in one statement; returns how many keys it inserted.

    ``count`` ids are drawn and matched, in order, to the group's refs sorted by native id.
    Retried on a unified-key collision (two live workers whose ids are equal mod 1024) or a
    transient error (deadlock, serialization failure); fresh ids are drawn on every attempt.
    """
    key_expr = _SQL_KEY_EXPR.format(p="%(platform)s", d="%(created_date)s", s="s.serial")
    for attempt in range(1, _SNOWFLAKE_RETRIES + 1):
        generator = snowflake.get()
        serials = [generator.next_id() for _ in range(count)]
        try:
            with conn.transaction():
                cur = conn.execute(
                    f"""
                    insert into keys.order_keys
                        (unified_key, platform, native_id, created_date, serial, mode)
                    select {key_expr}, %(platform)s, s.native_id, %(created_date)s,
                           s.serial, 'snowflake'
                    from (
                        select native_id,
                               (%(serials)b::bigint[])[row_number() over (order by native_id)]
                                   as serial
                        from ({_GROUP}) grp
                    ) s
                    order by s.native_id
                    on conflict (platform, native_id) do nothing
                    """,
                    {"platform": platform, "created_date": created_date, "serials": serials},
                )
                return cur.rowcount
        except (
            errors.UniqueViolation,
            errors.DeadlockDetected,
            errors.SerializationFailure,
        ) as exc:
            if attempt == _SNOWFLAKE_RETRIES:
                raise
            logger.warning(
                "snowflake allocation of %s %s retried after %s (attempt %d)",
                platform,
                created_date,
                type(exc).__name__,
                attempt,
            )
    raise AssertionError("unreachable")
