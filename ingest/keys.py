"""Unified order key allocation: one permanent key per (platform, native order id).

A unified key is ``<PLATFORM><yyyymmdd><serial>``: PLATFORM is TB, JD, PDD or WX, the date is
the order's creation date in China time (UTC+8) and the serial is zero-padded to at least five
digits, e.g. ``JD2026012800123``. Keys live in ``keys.order_keys``; a key is allocated once per
(platform, native_id) and never changes (``unique (platform, native_id)`` plus
``insert … on conflict do nothing`` everywhere).

Allocation must never be a single point of failure (DOMAIN.md §1 problem 4), so it has two modes:

* **lock** (normal): per (platform, creation date) a row in ``keys.serial_counters`` is locked
  under ``set local lock_timeout`` and a block of consecutive serials is reserved at once.
  Lock serials are ``1 … LOCK_SERIAL_LIMIT - 1`` (below 10**12).
* **snowflake** (fallback): when the counter lock cannot be had within the timeout, or anything
  else in the lock path fails with a database error (or ``force_fallback`` is set), the group
  gets Snowflake ids from :class:`SnowflakeGenerator` instead, flagged ``mode = 'snowflake'``.
  Snowflake serials are always ``>= SNOWFLAKE_SERIAL_MIN`` (10**15). This is guaranteed by the
  epoch, not by an offset: a serial is ``elapsed_ms << 22 | worker << 12 | sequence`` and the
  generator refuses to issue ids while ``elapsed_ms`` is below ``ceil(10**15 / 2**22)`` ms
  (i.e. before 2020-01-03 18:13:38.580 UTC, under three days after the 2020-01-01 epoch), so
  every id it does issue is ``>= 10**15``. Ids stay below 2**63 (fits ``bigint``) until 2089.

The two serial ranges are disjoint, so a lock key and a snowflake key can never be equal; and
because serials have no extra leading zeros, a key string maps back to exactly one
(platform, date, serial). Both ranges are also enforced by check constraints in the table.

Concurrent allocators (several processes, either mode) converge on exactly one key per native
id: rows are inserted with ``on conflict (platform, native_id) do nothing`` in a fixed
(native_id) order, one (platform, date) group per transaction, so inserts of the same ids wait
for each other instead of deadlocking and the loser simply keeps the winner's key.

Large inputs are streamed in batches: each batch is COPYed into a temporary table, and each
group is allocated with a few set-based statements (no round trip per row).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice

import psycopg
from psycopg import errors
from psycopg.pq import TransactionStatus

from domain.china_time import CHINA_TZ_NAME, china_date
from domain.sources import PLATFORMS, platform_coded, unified_key_pattern

logger = logging.getLogger(__name__)

KEY_PATTERN = unified_key_pattern()

SERIAL_MIN_DIGITS = 5
LOCK_SERIAL_LIMIT = 10**12
SNOWFLAKE_SERIAL_MIN = 10**15

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

_SNOWFLAKE_RETRIES = 3
_INCOMING_NAME = "_keys_incoming"
_INCOMING = f"pg_temp.{_INCOMING_NAME}"  # per-session staging table of one batch

# The key, built in SQL exactly as format_key() builds it in Python (lpad alone would truncate).
_SQL_KEY_EXPR = (
    "{p} || to_char({d}::timestamp, 'YYYYMMDD') || "
    "case when {s} < 100000 then lpad({s}::text, 5, '0') else {s}::text end"
)


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


@dataclass(frozen=True)
class OrderRef:
    """One platform order that needs a unified key.

    ``created_date`` is the order's creation date in China time (see :func:`china_date`).
    """

    platform: str
    native_id: str
    created_date: date

    def __post_init__(self) -> None:
        _check_platform(self.platform)
        if not isinstance(self.native_id, str) or not self.native_id:
            raise ValueError("native_id must be a non-empty string")
        _check_date(self.created_date)

    @classmethod
    def from_created_at(cls, platform: str, native_id: str, created_at: datetime) -> OrderRef:
        """A ref whose date is the China-time date of an aware creation timestamp."""
        return cls(platform, native_id, china_date(created_at))


def _check_platform(platform: str) -> None:
    platform_coded(platform)  # raises for an unknown platform


def _check_date(created_date: date) -> None:
    # datetime is a subclass of date; its .date() would depend on its own timezone, so refuse it.
    if isinstance(created_date, datetime) or not isinstance(created_date, date):
        raise TypeError("created_date must be a datetime.date (China time), not a datetime")


def format_key(platform: str, created_date: date, serial: int) -> str:
    """``<PLATFORM><yyyymmdd><serial>``, serial zero-padded to at least five digits.

    The serial must be a lock serial (``1 <= serial < LOCK_SERIAL_LIMIT``) or a snowflake
    serial (``SNOWFLAKE_SERIAL_MIN <= serial < 2**63``); the gap between them is refused.
    """
    _check_platform(platform)
    _check_date(created_date)
    if not (1 <= serial < LOCK_SERIAL_LIMIT or SNOWFLAKE_SERIAL_MIN <= serial < 1 << 63):
        raise ValueError(f"serial {serial} is in neither the lock nor the snowflake range")
    return f"{platform}{created_date:%Y%m%d}{serial:0{SERIAL_MIN_DIGITS}d}"


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


def ensure_schema(conn: psycopg.Connection) -> None:
    """Create the ``keys`` schema, its tables and the worker-id sequence (idempotent)."""
    key_expr = _SQL_KEY_EXPR.format(p="platform", d="created_date", s="serial")
    with conn.transaction():
        # Serialise concurrent callers: "create … if not exists" alone can race.
        conn.execute("select pg_advisory_xact_lock(hashtext('ordersight.keys.ensure_schema'))")
        conn.execute("create schema if not exists keys")
        conn.execute(
            f"""
            create table if not exists keys.order_keys (
                unified_key text primary key,
                platform text not null check (platform in ('TB', 'JD', 'PDD', 'WX')),
                native_id text not null,
                created_date date not null,
                serial bigint not null,
                mode text not null check (mode in ('lock', 'snowflake')),
                allocated_at timestamptz not null default now(),
                unique (platform, native_id),
                constraint order_keys_key_format check (unified_key ~ '{KEY_PATTERN}'),
                constraint order_keys_serial_range check (
                    (mode = 'lock' and serial >= 1 and serial < {LOCK_SERIAL_LIMIT})
                    or (mode = 'snowflake' and serial >= {SNOWFLAKE_SERIAL_MIN})
                ),
                constraint order_keys_key_composition check (unified_key = {key_expr})
            )
            """
        )
        conn.execute(
            f"""
            create table if not exists keys.serial_counters (
                platform text,
                created_date date,
                last_serial bigint not null
                    check (last_serial >= 0 and last_serial < {LOCK_SERIAL_LIMIT}),
                primary key (platform, created_date)
            )
            """
        )
        conn.execute("create sequence if not exists keys.snowflake_worker_seq as bigint")


def key_for(conn: psycopg.Connection, platform: str, native_id: str) -> str | None:
    """The unified key of one platform order, or None if it has none yet."""
    with conn.transaction():  # leaves an idle connection idle
        row = conn.execute(
            "select unified_key from keys.order_keys where platform = %s and native_id = %s",
            (platform, native_id),
        ).fetchone()
    return None if row is None else str(row[0])


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


def _unkeyed_staged_sql() -> str:
    selects = [
        f"select '{source.code}'::text as platform, native_id, created_at "
        f"from staging.{source.staging_model}"
        for source in PLATFORMS
    ]
    return f"""
        with staged as ({" union all ".join(selects)})
        select staged.platform, staged.native_id,
               (staged.created_at at time zone '{CHINA_TZ_NAME}')::date as created_date
        from staged
        where not exists (
            select 1 from keys.order_keys k
            where k.platform = staged.platform and k.native_id = staged.native_id
        )
        order by staged.created_at, staged.platform, staged.native_id
    """


def staged_refs_without_key(conn: psycopg.Connection) -> Iterator[OrderRef]:
    """Stream every staged platform order that has no unified key yet (server-side cursor).

    Use a connection of its own: `allocate_keys` commits on the one it writes with.
    """
    with conn.cursor(name="unkeyed_orders") as cur:
        cur.itersize = 20_000
        cur.execute(_unkeyed_staged_sql())
        for platform, native_id, created_date in cur:
            yield OrderRef(platform=platform, native_id=native_id, created_date=created_date)
