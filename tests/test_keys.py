"""Unified order keys: format, Snowflake generator, idempotent allocation, concurrent allocators."""

from __future__ import annotations

import multiprocessing
import random
import re
import time
from datetime import UTC, date, datetime

import psycopg
import pytest

from domain.china_time import china_date
from ingest.keys import (
    LOCK_SERIAL_LIMIT,
    MAX_SEQUENCE,
    SNOWFLAKE_EPOCH_MS,
    SNOWFLAKE_MIN_ELAPSED_MS,
    SNOWFLAKE_SERIAL_MIN,
    ClockMovedBackwardsError,
    OrderRef,
    SnowflakeGenerator,
    SnowflakeRangeError,
    allocate_keys,
    ensure_schema,
    format_key,
    key_for,
    split_snowflake,
)

KEY_RE = re.compile(r"^(TB|JD|PDD|WX)[0-9]{13,}$")
NOW_NS = 1_769_600_000_000_000_000  # 2026-01-28 11:33:20 UTC


class FakeClock:
    """A settable nanosecond clock whose sleep() advances it."""

    def __init__(self, now_ns: int) -> None:
        self.now_ns = now_ns
        self.sleeps: list[float] = []

    def __call__(self) -> int:
        return self.now_ns

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.sleeps.append(seconds)
        self.now_ns += max(1, int(seconds * 1e9))


def _rows(url: str) -> list[tuple[str, str, str, date, int, str]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select unified_key, platform, native_id, created_date, serial, mode "
            "from keys.order_keys"
        ).fetchall()


# ---------------------------------------------------------------- unit


def test_format_key_pads_to_five_digits_and_matches_pattern() -> None:
    assert format_key("JD", date(2026, 1, 28), 123) == "JD2026012800123"
    assert format_key("PDD", date(2026, 1, 28), 1) == "PDD2026012800001"
    assert format_key("TB", date(2025, 12, 31), 1234567) == "TB202512311234567"
    snow = format_key("WX", date(2026, 1, 28), SNOWFLAKE_SERIAL_MIN)
    assert snow == "WX20260128" + str(SNOWFLAKE_SERIAL_MIN)
    for key in ("JD2026012800123", "PDD2026012800001", snow):
        assert KEY_RE.match(key)


def test_format_key_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        format_key("AMZ", date(2026, 1, 28), 1)
    with pytest.raises(ValueError):  # the gap between the two serial ranges
        format_key("JD", date(2026, 1, 28), LOCK_SERIAL_LIMIT)
    with pytest.raises(ValueError):
        format_key("JD", date(2026, 1, 28), 0)
    with pytest.raises(TypeError):  # a datetime's date depends on its zone: refuse it
        format_key("JD", datetime(2026, 1, 28, tzinfo=UTC), 1)


def test_key_date_is_the_china_creation_date() -> None:
    # 2026-01-27 16:30 UTC is already 2026-01-28 00:30 in China.
    ref = OrderRef.from_created_at("TB", "T-1", datetime(2026, 1, 27, 16, 30, tzinfo=UTC))
    assert ref.created_date == date(2026, 1, 28)
    assert format_key(ref.platform, ref.created_date, 7) == "TB2026012800007"
    assert china_date(datetime(2026, 1, 27, 15, 59, tzinfo=UTC)) == date(2026, 1, 27)
    with pytest.raises(ValueError):
        china_date(datetime(2026, 1, 27, 16, 30))


def test_snowflake_ids_strictly_increasing_and_unique() -> None:
    gen = SnowflakeGenerator(worker_id=513)
    ids = [gen.next_id() for _ in range(100_000)]
    assert all(a < b for a, b in zip(ids, ids[1:], strict=False))
    assert len(set(ids)) == len(ids)
    assert min(ids) >= SNOWFLAKE_SERIAL_MIN and max(ids) < 2**63
    parts = split_snowflake(ids[-1])
    assert parts.worker_id == 513
    assert abs(parts.timestamp_ms - time.time() * 1000) < 60_000


def test_snowflake_refuses_when_clock_moves_backwards() -> None:
    clock = FakeClock(NOW_NS)
    gen = SnowflakeGenerator(1, clock=clock, sleep=clock.sleep)
    first = gen.next_id()
    clock.now_ns -= 5_000_000
    with pytest.raises(ClockMovedBackwardsError):
        gen.next_id()
    clock.now_ns += 5_000_000  # back where it was: ids continue above the last one
    assert gen.next_id() > first


def test_snowflake_sequence_overflow_waits_for_next_ms() -> None:
    clock = FakeClock(NOW_NS)
    gen = SnowflakeGenerator(7, clock=clock, sleep=clock.sleep)
    ids = [gen.next_id() for _ in range(MAX_SEQUENCE + 1)]
    assert not clock.sleeps, "4096 ids fit in one millisecond"
    assert [split_snowflake(i).sequence for i in ids] == list(range(MAX_SEQUENCE + 1))
    overflow = gen.next_id()
    assert clock.sleeps, "the 4097th id waited"
    parts = split_snowflake(overflow)
    assert parts.timestamp_ms == NOW_NS // 1_000_000 + 1
    assert parts.sequence == 0 and parts.worker_id == 7
    assert overflow > ids[-1]


def test_snowflake_serial_range_is_disjoint_from_lock_serials() -> None:
    earliest_ns = (SNOWFLAKE_EPOCH_MS + SNOWFLAKE_MIN_ELAPSED_MS) * 1_000_000
    clock = FakeClock(earliest_ns)
    gen = SnowflakeGenerator(0, clock=clock, sleep=clock.sleep)
    assert gen.next_id() >= SNOWFLAKE_SERIAL_MIN > LOCK_SERIAL_LIMIT
    too_early = FakeClock(earliest_ns - 1_000_000)
    with pytest.raises(SnowflakeRangeError):
        SnowflakeGenerator(0, clock=too_early, sleep=too_early.sleep).next_id()
    with pytest.raises(ValueError):
        SnowflakeGenerator(1024)


# ---------------------------------------------------------------- integration


def _refs(n: int, platform: str = "JD", day: date = date(2026, 1, 28)) -> list[OrderRef]:
    return [OrderRef(platform, f"{platform}-{i:06d}", day) for i in range(n)]


def test_allocation_is_idempotent_and_keys_never_change(fresh_db_url: str) -> None:
    refs = _refs(1200) + _refs(300, "WX", date(2026, 1, 27))
    with psycopg.connect(fresh_db_url) as conn:
        ensure_schema(conn)
        ensure_schema(conn)
        first = allocate_keys(conn, refs, batch_size=500)
        assert (first.allocated_lock, first.allocated_snowflake, first.already_present) == (
            1500,
            0,
            0,
        )
        before = {(p, n): k for k, p, n, *_ in _rows(fresh_db_url)}

        again = allocate_keys(conn, reversed(refs), batch_size=700)
        assert (again.allocated, again.already_present) == (0, 1500)
        # A later run with new ids (and an old id with another date) only adds the new ones.
        more = _refs(1300) + [OrderRef("JD", "JD-000000", date(2026, 2, 1))]
        third = allocate_keys(conn, more, force_fallback=True, batch_size=1300)
        assert (third.allocated_snowflake, third.already_present) == (100, 1201)
        assert key_for(conn, "JD", "JD-000000") == before[("JD", "JD-000000")]
        assert key_for(conn, "JD", "nope") is None

    rows = _rows(fresh_db_url)
    assert len(rows) == 1600
    after = {(p, n): k for k, p, n, *_ in rows}
    assert {k: after[k] for k in before} == before
    lock_serials = sorted(s for _, p, _, _, s, m in rows if p == "JD" and m == "lock")
    assert lock_serials == list(range(1, 1201)), "one block of consecutive serials"
    assert before[("JD", "JD-000000")] == "JD2026012800001"


def test_force_fallback_gives_flagged_snowflake_keys(fresh_db_url: str) -> None:
    refs = _refs(50, "PDD") + _refs(50, "TB", date(2026, 1, 1))
    with psycopg.connect(fresh_db_url) as conn:
        ensure_schema(conn)
        result = allocate_keys(conn, refs + refs[:10], force_fallback=True)
    assert result.allocated_snowflake == 100 and result.allocated_lock == 0
    assert result.duplicate_refs == 10
    assert result.fallback_reasons == {"forced": 2}
    rows = _rows(fresh_db_url)
    assert len(rows) == 100
    for key, platform, _native, day, serial, mode in rows:
        assert mode == "snowflake"
        assert serial >= SNOWFLAKE_SERIAL_MIN
        assert KEY_RE.match(key) and key == format_key(platform, day, serial)


def test_exhausted_lock_counter_falls_back(fresh_db_url: str) -> None:
    day = date(2026, 1, 28)
    with psycopg.connect(fresh_db_url) as conn:
        ensure_schema(conn)
        with conn.transaction():
            conn.execute(
                "insert into keys.serial_counters values ('TB', %s, %s)",
                (day, LOCK_SERIAL_LIMIT - 3),
            )
        result = allocate_keys(conn, _refs(5, "TB", day))
    assert result.fallback_reasons == {"serial_exhausted": 1}
    assert {m for *_, m in _rows(fresh_db_url)} == {"snowflake"}


def test_failing_lock_allocator_falls_back(fresh_db_url: str) -> None:
    day = date(2026, 1, 28)
    with psycopg.connect(fresh_db_url) as conn:
        ensure_schema(conn)
        allocate_keys(conn, _refs(10, "WX", day))
        with conn.transaction():  # a counter behind its keys: the lock path now collides
            conn.execute("update keys.serial_counters set last_serial = 0")
        result = allocate_keys(conn, _refs(20, "WX", day))
        assert result.fallback_reasons == {"db_error:UniqueViolation(23505)": 1}
        assert (result.allocated_snowflake, result.already_present) == (10, 10)
    rows = _rows(fresh_db_url)
    assert len(rows) == len({r[0] for r in rows}) == 20


# ---------------------------------------------------------------- concurrency

PLATFORM_POOL = ("TB", "JD", "PDD", "WX")
DAYS = (date(2026, 1, 27), date(2026, 1, 28))
BLOCKED = "JD"  # counter rows of this platform are held by another connection for a while


def _pool() -> list[tuple[str, str, date]]:
    return [
        (platform, f"{platform}-{day:%m%d}-{i:05d}", day)
        for platform in PLATFORM_POOL
        for day in DAYS
        for i in range(750)
    ]  # 6,000 refs


def _worker(url: str, refs, options, barrier, results) -> None:  # type: ignore[no-untyped-def]
    try:
        refs = [OrderRef(*r) for r in refs]
        with psycopg.connect(url) as conn:
            barrier.wait(timeout=60)
            result = allocate_keys(conn, refs, batch_size=500, **options)
        results.put(
            (
                result.allocated_lock,
                result.allocated_snowflake,
                result.already_present,
                result.fallback_reasons,
            )
        )
    except BaseException as exc:  # report instead of hanging the parent
        results.put(repr(exc))
        raise


def test_concurrent_allocators_converge_on_one_key(fresh_db_url: str) -> None:
    pool = _pool()
    rng = random.Random(20260128)
    requests = [rng.sample(pool, 3000) for _ in range(4)]
    options = [
        {"force_fallback": True},
        {"lock_timeout_ms": 100},
        {},
        {},
    ]
    with psycopg.connect(fresh_db_url) as conn:
        ensure_schema(conn)
        with conn.transaction():
            for day in DAYS:
                conn.execute("insert into keys.serial_counters values (%s, %s, 0)", (BLOCKED, day))

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(requests) + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(fresh_db_url, req, opt, barrier, results))
        for req, opt in zip(requests, options, strict=True)
    ]
    for proc in procs:
        proc.start()
    with psycopg.connect(fresh_db_url) as blocker:
        with blocker.transaction():
            held = blocker.execute(
                "select * from keys.serial_counters where platform = %s for update", (BLOCKED,)
            ).fetchall()
            assert len(held) == 2
            barrier.wait(timeout=60)
            time.sleep(1.5)  # allocators hit lock_timeout on JD and fall back meanwhile
        outcomes = [results.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    assert all(isinstance(o, tuple) for o in outcomes), outcomes

    rows = _rows(fresh_db_url)
    keys = [r[0] for r in rows]
    assert len(keys) == len(set(keys)), "duplicate unified keys"
    requested = {(p, n) for req in requests for p, n, _ in req}
    per_id: dict[tuple[str, str], int] = {}
    for _, platform, native_id, *_ in rows:
        per_id[(platform, native_id)] = per_id.get((platform, native_id), 0) + 1
    assert set(per_id) == requested and set(per_id.values()) == {1}
    assert all(KEY_RE.match(k) for k in keys)

    modes = {r[5] for r in rows}
    assert modes == {"lock", "snowflake"}
    for key, platform, _native, day, serial, mode in rows:
        assert key == format_key(platform, day, serial)
        assert serial < LOCK_SERIAL_LIMIT if mode == "lock" else serial >= SNOWFLAKE_SERIAL_MIN

    # Every row was inserted by exactly one allocator, and the fallbacks were the ones provoked.
    lock_total = sum(o[0] for o in outcomes)
    snow_total = sum(o[1] for o in outcomes)
    assert lock_total == sum(1 for r in rows if r[5] == "lock")
    assert snow_total == sum(1 for r in rows if r[5] == "snowflake")
    assert outcomes[0][0] == 0 and set(outcomes[0][3]) == {"forced"}
    assert any(o[3].get("lock_timeout", 0) > 0 for o in outcomes[1:])

    with psycopg.connect(fresh_db_url, autocommit=True) as conn:
        # Lock serials are unique per (platform, date) and the counters are never behind them.
        behind = conn.execute(
            """
            select count(*) from keys.order_keys k
            join keys.serial_counters c using (platform, created_date)
            where k.mode = 'lock' and k.serial > c.last_serial
            """
        ).fetchone()
        assert behind == (0,)
        again = allocate_keys(conn, [OrderRef(*r) for r in pool])
    assert again.already_present == len(requested)
    assert again.allocated == len(pool) - len(requested)
