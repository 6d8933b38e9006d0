"""Every reconciliation rule on hand-made cases: which diffs an order gets, with which reason code,
and the colour the board gives it.

Payloads in the shapes of docs/payloads.md are landed through the real landing code,
keys are allocated by the real allocator, and the real dbt models are built on a real Postgres
whose TimeZone is UTC (so a China-time calendar day must not be read as a UTC one).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
import pytest

from ingest.keys import allocate_keys, ensure_schema, staged_refs_without_key
from ingest.load import land_records
from ingest.simulate.model import RawRecord
from plumbing.database import with_database
from plumbing.dbt_cli import run_dbt
from tests.urls import login_as

EMITTED = datetime(2026, 10, 5, tzinfo=UTC)


def record(source: str, native_id: str, body: dict) -> RawRecord:
    return RawRecord(source, native_id, json.dumps(body, ensure_ascii=False), EMITTED)


def taobao(
    tid: int,
    *,
    paid: str = "2026-10-01 10:00:00",
    payment: str = "100.00",
    status: str = "WAIT_SELLER_SEND_GOODS",
    refund: str = "NO_REFUND",
) -> RawRecord:
    return record(
        "taobao",
        str(tid),
        {
            "tid": tid,
            "tid_str": str(tid),
            "type": "fixed",
            "status": status,
            "created": paid[:11] + "08:00:00",
            "modified": paid,
            "pay_time": paid,
            "payment": payment,
            "total_fee": payment,
            "post_fee": "0.00",
            # the refund signal of a real trade is per sub-order
            "orders": {
                "order": [
                    {
                        "oid": tid + 1,
                        "oid_str": str(tid + 1),
                        "num": 1,
                        "price": payment,
                        "payment": payment,
                        "refund_status": refund,
                    }
                ]
            },
        },
    )


def taobao_refund(tid: int, status: str, asked: str, fee: str = "20.00") -> RawRecord:
    """The refund of the trade's one sub-order, as taobao.refunds.receive.get returns it."""
    refund_id = 5 * 10**18 + tid % 10**17
    return record(
        "taobao_refunds",
        str(refund_id),
        {
            "refund_id": refund_id,
            "tid": tid,
            "oid": tid + 1,
            "refund_fee": fee,
            "payment": "100.00",
            "status": status,
            "has_good_return": False,
            "created": asked,
            "modified": asked[:11] + "23:00:00",
        },
    )


def pdd_refund_only(order_sn: str, asked: str, amount: str = "100.00") -> RawRecord:
    """A successful refund only (仅退款) after-sale, as pdd.refund.list.increment.get returns it."""
    return record(
        "pdd_refunds",
        "11800000001",
        {
            "id": 11800000001,
            "order_sn": order_sn,
            "after_sales_type": 2,
            "after_sales_status": 10,
            "refund_amount": amount,
            "order_amount": "100.00",
            "created_time": asked,
            "updated_time": asked[:11] + "21:00:00",
        },
    )


def pdd(order_sn: str, *, paid: str, held: bool = False, refund_only: bool = False) -> RawRecord:
    body = {
        "order_sn": order_sn,
        "order_status": 3 if refund_only else 1,
        "confirm_status": 1,
        "refund_status": 4 if refund_only else 1,
        "after_sales_status": 10 if refund_only else 0,
        "risk_control_status": 1 if held else 0,
        "created_time": paid[:11] + "08:00:00",
        "pay_time": paid,
        "confirm_time": paid,
        "updated_at": paid[:11] + "20:00:00",
        "pay_amount": 100,
        "postage": 0,
        "receiver_phone": "",
        "receiver_phone_mask": "138****1234",
    }
    return record("pdd", order_sn, body)


def u8(
    code: str,
    platform: str,
    order_id: str,
    created: str | None,
    *,
    day: str = "2026-10-01",
    state: str = "审核",
    amount: str = "100.00",
) -> RawRecord:
    body = {
        "code": code,
        "date": day if created is None else created,
        "custcode": "C01",
        "state": state,
        "sum": amount,
        "define1": platform,
        "define2": order_id,
        "memo": "",
    }
    return record("u8", code, body)


def ledger(
    entry_id: str,
    platform: str,
    order_id: str,
    booked: str,
    *,
    amount: str = "100.00",
    entry_type: str = "settlement",
) -> RawRecord:
    return record(
        "ledger",
        entry_id,
        {
            "entry_id": entry_id,
            "entry_type": entry_type,
            "channel": "alipay",
            "platform": platform,
            "order_no": order_id,
            "amount": amount,
            "booked_at": booked,
            "voucher_no": "记-2026-10-00001",
        },
    )


@dataclass(frozen=True)
class Case:
    native_id: str
    payloads: tuple[RawRecord, ...]
    diffs: frozenset[tuple[str, str, str]]  # (source_system, issue, reason_code)
    color: str
    board_reason: str


def tb_case(
    tid: int,
    diffs: set[tuple[str, str, str]],
    color: str,
    reason: str,
    *,
    paid: str = "2026-10-01 10:00:00",
    erp_at: str | None = "2026-10-01 11:00:00",
    booked: str = "2026-10-01 10:00:01.250",
    erp: tuple[RawRecord, ...] | None = None,
    books: tuple[RawRecord, ...] | None = None,
    **platform: str,
) -> Case:
    """A Taobao order paid at `paid`, booked by the ERP and the ledger unless told otherwise."""
    oid = str(tid)
    erp = erp if erp is not None else (u8(f"SO{tid}", "TB", oid, erp_at, day=paid[:10]),)
    books = books if books is not None else (ledger(f"LE{tid}", "TB", oid, booked),)
    refunds = (
        (taobao_refund(tid, platform["refund"], paid),)
        if platform.get("refund", "NO_REFUND") != "NO_REFUND"
        else ()
    )
    return Case(
        oid,
        (taobao(tid, paid=paid, **platform), *refunds, *erp, *books),
        frozenset(diffs),
        color,
        reason,
    )


T = 3822000000000000000
HELD, HELD_AMOUNT, REFUND_ONLY = (
    "261003-100000000000001",
    "261003-100000000000002",
    "261003-100000000000003",
)

CASES: dict[str, Case] = {
    "clean": tb_case(T + 1, set(), "green", "matched"),
    "erp books late but within its lag": tb_case(
        T + 2, set(), "green", "matched", erp_at="2026-10-01 15:30:00"
    ),
    # 09:00 China on 2 October is still 1 October in UTC: a day-only ERP date is China time
    "erp date only, same China day": tb_case(
        T + 3,
        set(),
        "green",
        "matched",
        paid="2026-10-02 09:00:00",
        erp_at=None,
        booked="2026-10-02 09:00:00.500",
    ),
    "ledger minute precision": tb_case(
        T + 4, set(), "green", "matched", paid="2026-10-01 10:00:40", booked="2026-10-01 10:00"
    ),
    "duplicate in erp": tb_case(
        T + 5,
        {("U8", "duplicate", "duplicate_in_erp")},
        "red",
        "duplicate_in_erp",
        erp=(
            u8(f"SO{T + 5}A", "TB", str(T + 5), "2026-10-01 11:00:00"),
            u8(f"SO{T + 5}B", "TB", str(T + 5), "2026-10-01 11:05:00"),
        ),
    ),
    "duplicate in ledger": tb_case(
        T + 6,
        {("LEDGER", "duplicate", "duplicate_in_ledger")},
        "red",
        "duplicate_in_ledger",
        books=(
            ledger(f"LE{T + 6}A", "TB", str(T + 6), "2026-10-01 10:00:01.000"),
            ledger(f"LE{T + 6}B", "TB", str(T + 6), "2026-10-01 10:00:02.000"),
        ),
    ),
    "amount differs": tb_case(
        T + 7,
        {("U8", "amount_mismatch", "amount_differs")},
        "red",
        "amount_differs",
        erp=(u8(f"SO{T + 7}", "TB", str(T + 7), "2026-10-01 11:00:00", amount="93.50"),),
    ),
    "status semantics": tb_case(
        T + 8,
        {("U8", "status_mismatch", "status_semantics")},
        "red",
        "status_semantics",
        erp=(u8(f"SO{T + 8}", "TB", str(T + 8), "2026-10-01 11:00:00", state="作废"),),
    ),
    "erp booked before payment": tb_case(
        T + 9,
        {("U8", "time_mismatch", "time_differs")},
        "red",
        "time_differs",
        erp_at="2026-10-01 09:00:00",
    ),
    "erp booked far beyond its lag": tb_case(
        T + 10,
        {("U8", "time_mismatch", "time_differs")},
        "red",
        "time_differs",
        erp_at="2026-10-01 17:00:00",
    ),
    "erp time 8 hours early (UTC written as China time)": tb_case(
        T + 11,
        {("U8", "time_mismatch", "timezone_drift")},
        "red",
        "timezone_drift",
        erp_at="2026-10-01 03:00:00",
    ),
    "erp time 8 hours late": tb_case(
        T + 12,
        {("U8", "time_mismatch", "timezone_drift")},
        "red",
        "timezone_drift",
        erp_at="2026-10-01 19:00:00",
    ),
    "ledger booked long after payment": tb_case(
        T + 13,
        {("LEDGER", "time_mismatch", "time_differs")},
        "red",
        "time_differs",
        booked="2026-10-01 10:30:00.000",
    ),
    "ledger time 8 hours early": tb_case(
        T + 14,
        {("LEDGER", "time_mismatch", "timezone_drift")},
        "red",
        "timezone_drift",
        booked="2026-10-01 02:00:01.500",
    ),
    "pending refund": tb_case(
        T + 15, set(), "yellow", "pending_refund", refund="WAIT_SELLER_AGREE"
    ),
    "pending refund explains the ERP amount": tb_case(
        T + 16,
        {("U8", "amount_mismatch", "amount_differs")},
        "yellow",
        "pending_refund_explains_amount",
        refund="WAIT_SELLER_AGREE",
        erp=(u8(f"SO{T + 16}", "TB", str(T + 16), "2026-10-01 11:00:00", amount="80.00"),),
    ),
    "held order booked as paid by the erp": Case(
        HELD,
        (
            pdd(HELD, paid="2026-10-03 10:00:00", held=True),
            u8("SO-HELD", "PDD", HELD, "2026-10-03 11:00:00", day="2026-10-03"),
        ),
        frozenset({("U8", "status_mismatch", "hold_booked_as_paid")}),
        "yellow",
        "hold_booked_as_paid",
    ),
    "held order booked as paid with a wrong amount": Case(
        HELD_AMOUNT,
        (
            pdd(HELD_AMOUNT, paid="2026-10-03 12:00:00", held=True),
            u8(
                "SO-HELD-AMOUNT",
                "PDD",
                HELD_AMOUNT,
                "2026-10-03 13:00:00",
                day="2026-10-03",
                amount="10000",
            ),
        ),
        frozenset(
            {
                ("U8", "status_mismatch", "hold_booked_as_paid"),
                ("U8", "amount_mismatch", "amount_unit_error"),
            }
        ),
        "red",
        "amount_unit_error",
    ),
    "pdd refund only voided by the erp": Case(
        REFUND_ONLY,
        (
            pdd(REFUND_ONLY, paid="2026-10-03 14:00:00", refund_only=True),
            pdd_refund_only(REFUND_ONLY, "2026-10-03 18:00:00"),
            u8(
                "SO-REFUND-ONLY",
                "PDD",
                REFUND_ONLY,
                "2026-10-03 15:00:00",
                day="2026-10-03",
                state="作废",
            ),
            ledger("LE-REFUND-ONLY", "PDD", REFUND_ONLY, "2026-10-03 14:00:01.000"),
        ),
        frozenset({("U8", "status_mismatch", "pdd_refund_only_as_cancelled")}),
        "red",
        "pdd_refund_only_as_cancelled",
    ),
    "erp order of no known order": Case(
        str(T + 90),
        (u8(f"SO{T + 90}", "TB", str(T + 90), "2026-10-01 11:00:00"),),
        frozenset({("U8", "extra_in_erp", "unknown_platform_order")}),
        "red",
        "unknown_platform_order",
    ),
    "ledger entry of no known order": Case(
        str(T + 91),
        (ledger(f"LE{T + 91}", "TB", str(T + 91), "2026-10-01 10:00:01.000"),),
        frozenset({("LEDGER", "extra_in_ledger", "unknown_platform_order")}),
        "red",
        "unknown_platform_order",
    ),
}


@pytest.fixture(scope="module")
def built(module_db_url: str) -> str:
    url = module_db_url
    with psycopg.connect(url, autocommit=True) as conn:
        database = conn.execute("select current_database()").fetchone()[0]
        conn.execute(f"alter database \"{database}\" set timezone to 'UTC'")
    with psycopg.connect(url) as conn:
        land_records(
            conn,
            [p for case in CASES.values() for p in case.payloads],
            label="reconciliation-rules",
        )
    run_dbt(url, "build", "--select", "path:seeds path:models/staging")
    with psycopg.connect(url) as reader, psycopg.connect(url) as writer:
        ensure_schema(writer)
        writer.commit()
        allocate_keys(writer, staged_refs_without_key(reader))
    run_dbt(url, "build", "--exclude", "path:seeds path:models/staging")
    return url


def fetch(url: str, sql: str, params: dict | None = None) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.mark.parametrize("name", list(CASES))
def test_case_gets_its_diffs_reason_and_colour(built: str, name: str) -> None:
    case = CASES[name]
    diffs = fetch(
        built,
        "select source_system, issue, reason_code from marts.fct_reconciliation_diffs "
        "where native_order_id = %(id)s",
        {"id": case.native_id},
    )
    assert len(diffs) == len(set(diffs)), diffs
    assert set(diffs) == case.diffs
    board = fetch(
        built,
        "select color, reason_code from marts.fct_reconciliation_board "
        "where native_order_id = %(id)s",
        {"id": case.native_id},
    )
    assert board == [(case.color, case.board_reason)]


def test_diffs_say_which_systems_have_the_order(built: str) -> None:
    presence = dict(
        (row[0], row[1:])
        for row in fetch(
            built,
            "select native_order_id, in_platform, in_erp, in_ledger, item_key "
            "from marts.fct_reconciliation_diffs join marts.fct_reconciliation_board "
            "using (platform, native_order_id)",
        )
    )
    assert presence[str(T + 90)] == (False, True, False, f"U8:TB:{T + 90}")
    assert presence[str(T + 91)] == (False, False, True, f"LEDGER:TB:{T + 91}")
    assert presence[HELD][:3] == (True, True, False)
    assert presence[str(T + 5)][:3] == (True, True, True)


def test_erp_booking_a_held_order_drifts_its_window(built: str) -> None:
    windows = dict(
        (source, rest)
        for source, *rest in fetch(
            built,
            "select source_system, source_paid_count, store_paid_count, is_drifting "
            "from marts.fct_reconciliation_windows "
            "where window_start = '2026-10-03 02:00:00+00'",  # 10:00 China: HELD's payment
        )
    )
    # held is not paid success: the store does not count it, the platform's own data neither
    assert windows == {"U8": [1, 0, True]}


def test_finance_role_hooks_warn_instead_of_failing_without_createrole(
    built: str, pg_server
) -> None:
    name = f"limited_{uuid.uuid4().hex[:8]}"
    admin = with_database(pg_server.url(), "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            f"create role {name} login nosuperuser nocreaterole nocreatedb password 'limited-test'"
        )
        conn.execute(f"create database {name} owner {name}")
    limited_url = login_as(admin, name, "limited-test", dbname=name)
    role = f"{name}_finance"
    done = run_dbt(
        limited_url,
        "seed",
        "--select",
        "refund_status_map",
        "--vars",
        json.dumps({"finance_role": role}),
    )
    assert done.returncode == 0
    compiled = run_dbt(
        limited_url,
        "compile",
        "--quiet",
        "--inline",
        "select '{{ var(\"finance_role\") }}' as role",
        "--vars",
        json.dumps({"finance_role": role}),
    )
    assert role in compiled.stdout, "the test's --vars reaches dbt beside the registry's"
    with psycopg.connect(limited_url) as conn:
        assert conn.execute("select count(*) from seeds.refund_status_map").fetchone()[0] > 0
        assert conn.execute(
            "select count(*) from pg_roles where rolname = %s", (role,)
        ).fetchone() == (0,)
