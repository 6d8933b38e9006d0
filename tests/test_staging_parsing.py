"""Staging parses each platform's native formats into fen and UTC, and quarantines what it cannot.

Hand-written payloads in the shapes of docs/payloads.md are landed through the real
landing code, then the real dbt staging models are built on a real Postgres.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import psycopg
import pytest

from domain.dbt_vars import dbt_vars
from ingest.load import Record, land_records
from plumbing.dbt_cli import run_dbt
from plumbing.paths import DBT_PROJECT_DIR


def p(source: str, native_id: str | None, body: dict) -> Record:
    return Record(source, native_id, json.dumps(body, ensure_ascii=False))


TAOBAO = {
    "tid": 3822001234567890123,
    "tid_str": "3822001234567890123",
    "status": "WAIT_SELLER_SEND_GOODS",
    "created": "2026-10-01 00:30:05",
    "modified": "2026-10-01 00:31:00",
    "pay_time": "2026-10-01 00:31:00",
    "payment": "200.07",
    "total_fee": "198.00",
    "post_fee": "2.07",
    "orders": {"order": [{"oid": 3822001234567890124, "num": 2, "price": "99.00"}]},
}
JD_MS = {
    "orderId": "301234567890",
    "orderState": "WAIT_GOODS_RECEIVE_CONFIRM",
    "orderStartTime": "2026-10-01 09:12:44.683+0800",
    "orderExt": '{"modified":1790906400120}',
    "paymentConfirmTime": "2026-10-01 09:13:02",
    "orderPayment": "99.90",
    "freightPrice": "0.00",
}
JD_UNPAID = {
    **JD_MS,
    "orderId": "301234567891",
    "orderState": "WAIT_SELLER_STOCK_OUT",
    "orderStartTime": "2026-10-01 09:12:44",
    "orderExt": '{"modified":1790817164000}',
    "paymentConfirmTime": "0001-01-01 00:00:00",
}
JD_STOCK_OUT_PAID = {
    **JD_UNPAID,
    "orderId": "301234567892",
    "paymentConfirmTime": "2026-10-01 09:13:02",
}
PDD_REFUND_ONLY = {
    "order_sn": "261001-123456789012345",
    "order_status": 3,
    "confirm_status": 1,
    "refund_status": 4,
    "after_sales_status": 10,
    "after_sales_type": 2,  # not in the order contract: ignored, refunds come from their own source
    "risk_control_status": 0,
    "created_time": "2026-10-01 12:00:00",
    "pay_time": "2026-10-01 12:01:00",
    "confirm_time": "2026-10-01 12:01:00",
    "updated_at": "2026-10-05 08:00:00",
    "pay_amount": "168.99",
    "postage": "0.00",
    "refund_amount": "168.99",
    "receiver_phone": "",
    "receiver_phone_mask": "138****1234",
}
PDD_HELD = {  # the real order shape: no after_sales_type, no refund_amount, no postage (0)
    **{
        k: v
        for k, v in PDD_REFUND_ONLY.items()
        if k not in ("postage", "after_sales_type", "refund_amount")
    },
    "order_sn": "261001-123456789012346",
    "order_status": 1,
    "refund_status": 1,
    "after_sales_status": 0,
    "risk_control_status": 1,
    "pay_amount": 168,
}
WECHAT_GIFT = {
    "order_id": "3712345678901234567",
    "status": 20,
    "create_time": 1790817164,
    "update_time": 1790817170,
    "is_present": True,
    "order_detail": {
        "product_infos": [
            {
                "product_id": "10000012345",
                "sku_cnt": 2,
                "sale_price": 9900,
                "finish_aftersale_sku_cnt": 1,
            }
        ],
        "price_info": {"product_price": 19800, "order_price": 20007, "freight": 207},
        "pay_info": {"pay_time": 1790817160},
    },
    # the order lists its after-sales by id only; amounts come from the after-sale API
    "aftersale_detail": {
        "on_aftersale_order_cnt": 0,
        "aftersale_order_list": [{"aftersale_order_id": "2000000075529920"}],
    },
}
LEDGER_STRING = {
    "entry_id": "LE000000000001",
    "entry_type": "settlement",
    "channel": "alipay",
    "platform": "TB",
    "order_no": "3822001234567890123",
    "amount": "200.07",
    "booked_at": "2026-10-01 00:31:00.417",
}
LEDGER_EPOCH_MS = {**LEDGER_STRING, "entry_id": "LE000000000002", "booked_at": 1790786660417}
U8 = {
    "code": "SO20261001000001",
    "date": "2026-10-01 01:00:00",
    "custcode": "TMALL01",
    "cusname": "天猫旗舰店",
    "state": "审核",
    "sum": "200.07",
    "money": "177.05",
    "define1": "TB",
    "define2": "3822001234567890123",
    "entry": [{"inventorycode": "P1", "quantity": "1", "taxunitprice": "200.07", "sum": "200.07"}],
}

GOOD = [
    p("taobao", "3822001234567890123", TAOBAO),
    p("taobao", "3822001234567890123", TAOBAO),  # delivered twice
    p("jd", "301234567890", JD_MS),
    p("jd", "301234567891", JD_UNPAID),
    p("jd", "301234567892", JD_STOCK_OUT_PAID),
    p("pdd", PDD_REFUND_ONLY["order_sn"], PDD_REFUND_ONLY),
    p("pdd", PDD_HELD["order_sn"], PDD_HELD),
    p("wechat", WECHAT_GIFT["order_id"], WECHAT_GIFT),
    p("ledger", "LE000000000001", LEDGER_STRING),
    p("ledger", "LE000000000002", LEDGER_EPOCH_MS),
    p("u8", "SO20261001000001", U8),
]
BAD = [
    (
        p("taobao", "1", {**TAOBAO, "tid": 1, "tid_str": "1", "status": "WAIT_MAGIC"}),
        "unknown native status: WAIT_MAGIC",
    ),
    (
        p("taobao", "2", {**TAOBAO, "tid": 2, "tid_str": "2", "created": "2026-13-45 25:61:00"}),
        "unparseable time: created = 2026-13-45 25:61:00",
    ),
    (
        p("jd", "3", {**JD_MS, "orderId": "3", "orderPayment": "12,00元"}),
        "unparseable amount: orderPayment = 12,00元",
    ),
    (
        p("taobao", "5", {**TAOBAO, "tid": 5, "tid_str": "5", "post_fee": "2,07"}),
        "unparseable amount: post_fee = 2,07",
    ),
    (
        p(
            "wechat",
            "6",
            {
                **WECHAT_GIFT,
                "order_id": "6",
                "order_detail": {
                    **WECHAT_GIFT["order_detail"],
                    "price_info": {"order_price": 20007, "freight": "2.07"},
                },
            },
        ),
        "unparseable amount: freight = 2.07",
    ),
    (
        p("pdd", None, {k: v for k, v in PDD_HELD.items() if k != "order_sn"}),
        "missing field: order_sn",
    ),
    (
        p("wechat", "4", {**WECHAT_GIFT, "order_id": "4", "create_time": "yesterday"}),
        "unparseable time: create_time = yesterday",
    ),
    (
        p("u8", "SO-BAD", {**U8, "code": "SO-BAD", "sum": "abc"}),
        "unparseable amount: sum = abc",
    ),
]


@pytest.fixture(scope="module")
def staged(module_db_url: str) -> str:
    with psycopg.connect(module_db_url) as conn:
        land_records(conn, [*GOOD, *(payload for payload, _ in BAD)], label="parsing-test")
    run_dbt(module_db_url, "build", "--select", "path:seeds path:models/staging")
    return module_db_url


def rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def one(url: str, sql: str, params: tuple | dict = ()) -> tuple:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql, params).fetchone()
    assert row is not None, sql
    return row


def test_taobao_china_time_becomes_utc_and_yuan_becomes_fen(staged: str) -> None:
    created, paid, payment, post_fee, precision, state = one(
        staged,
        "select created_at, paid_at, payment_fen, post_fee_fen, time_precision, state "
        "from staging.stg_taobao__trades where native_id = '3822001234567890123'",
    )
    # 00:30:05 China time on 1 October is 16:30:05 UTC on 30 September
    assert created == datetime(2026, 9, 30, 16, 30, 5, tzinfo=UTC)
    assert paid == datetime(2026, 9, 30, 16, 31, tzinfo=UTC)
    assert (payment, post_fee) == (20007, 207)
    assert precision == "second"
    assert state == "paid"


def test_duplicate_delivery_is_kept_in_raw_but_one_version_downstream(staged: str) -> None:
    raw, staged_rows = one(
        staged,
        "select (select count(*) from raw.taobao_trades where native_id = %(id)s),"
        " (select count(*) from staging.stg_taobao__trades where native_id = %(id)s)",
        {"id": "3822001234567890123"},
    )
    assert (raw, staged_rows) == (2, 1)


def test_jd_milliseconds_and_offset_are_kept_and_unpaid_sentinel_is_null(staged: str) -> None:
    created, precision, state = one(
        staged,
        "select created_at, time_precision, state from staging.stg_jd__orders "
        "where native_id = '301234567890'",
    )
    assert created == datetime(2026, 10, 1, 1, 12, 44, 683000, tzinfo=UTC)
    assert precision == "millisecond"
    assert state == "shipped"
    paid_at, precision = one(
        staged,
        "select paid_at, time_precision from staging.stg_jd__orders "
        "where native_id = '301234567891'",
    )
    assert paid_at is None, "0001-01-01 00:00:00 is JD's not-paid sentinel"
    assert precision == "second"


def test_jd_stock_out_is_paid_only_with_a_payment_time(staged: str) -> None:
    # WAIT_SELLER_STOCK_OUT also covers cash-on-delivery and pay-later orders (docs/domain.md §2)
    states = dict(
        row[:2]
        for row in rows(
            staged,
            "select native_id, state, paid_at from staging.stg_jd__orders "
            "where native_status = 'WAIT_SELLER_STOCK_OUT'",
        )
    )
    assert states == {"301234567891": "created", "301234567892": "paid"}
    paid_at, payment = one(
        staged,
        "select paid_at, payment_fen from staging.stg_jd__orders where native_id = '301234567892'",
    )
    assert paid_at == datetime(2026, 10, 1, 1, 13, 2, tzinfo=UTC)
    assert payment == 9990


def test_pdd_string_times_are_china_time(staged: str) -> None:
    created, paid, modified, precision = one(
        staged,
        "select created_at, paid_at, modified_at, time_precision from staging.stg_pdd__orders "
        "where native_id = '261001-123456789012345'",
    )
    # "2026-10-01 12:00:00" China time is 04:00 UTC
    assert created == datetime(2026, 10, 1, 4, 0, tzinfo=UTC)
    assert paid == datetime(2026, 10, 1, 4, 1, tzinfo=UTC)
    assert modified == datetime(2026, 10, 5, 0, 0, tzinfo=UTC)
    assert precision == "second"


def test_missing_post_fee_is_zero(staged: str) -> None:
    (post_fee,) = one(
        staged,
        "select post_fee_fen from staging.stg_pdd__orders "
        "where native_id = '261001-123456789012346'",
    )
    assert post_fee == 0


def test_pdd_after_sales_signal_and_risk_hold_are_recognised(staged: str) -> None:
    # the order carries only a signal; refunds and amounts come from the refund source
    state, native_refund_status, held = one(
        staged,
        "select state, native_refund_status, is_on_hold from staging.stg_pdd__orders "
        "where native_id = '261001-123456789012345'",
    )
    assert (state, native_refund_status, held) == ("completed", "10", False)
    state, native_refund_status, held = one(
        staged,
        "select state, native_refund_status, is_on_hold from staging.stg_pdd__orders "
        "where native_id = '261001-123456789012346'",
    )
    assert (state, native_refund_status, held) == ("paid", "0", True)


def test_wechat_epoch_seconds_fen_and_gift_order_paid_before_creation(staged: str) -> None:
    created, paid, payment, native_refund_status = one(
        staged,
        "select created_at, paid_at, payment_fen, native_refund_status "
        "from staging.stg_wechat__orders where native_id = '3712345678901234567'",
    )
    assert created == datetime.fromtimestamp(1790817164, UTC)
    assert paid < created, "a gift order's payment may precede its creation and is kept"
    # an after-sale finished on a line: a signal on the order, its amount in the after-sale API
    assert (payment, native_refund_status) == (20007, "AFTERSALE_FINISHED")


def test_ledger_accepts_china_time_strings_and_epoch_milliseconds(staged: str) -> None:
    string_time, epoch_time = one(
        staged,
        "select max(booked_at) filter (where native_id = 'LE000000000001'), "
        "max(booked_at) filter (where native_id = 'LE000000000002') "
        "from staging.stg_ledger__entries",
    )
    assert string_time == datetime(2026, 9, 30, 16, 31, 0, 417000, tzinfo=UTC)
    assert epoch_time == datetime.fromtimestamp(1790786660.417, UTC)


def test_u8_amount_and_time(staged: str) -> None:
    amount, created, state = one(
        staged,
        "select amount_fen, created_at, erp_state from staging.stg_u8__sales_orders "
        "where native_id = 'SO20261001000001'",
    )
    assert (amount, state) == (20007, "paid")
    assert created == datetime(2026, 9, 30, 17, 0, tzinfo=UTC)


def test_bad_payloads_stay_in_raw_and_are_not_staged(staged: str) -> None:
    with psycopg.connect(staged) as conn:
        raw_total = sum(
            conn.execute(f"select count(*) from raw.{t}").fetchone()[0]
            for t in (
                "taobao_trades",
                "jd_orders",
                "pdd_orders",
                "wechat_orders",
                "u8_sales_orders",
                "ledger_entries",
            )
        )
        staged_ids = {
            r[0]
            for r in conn.execute(
                "select native_id from staging.stg_taobao__trades union all "
                "select native_id from staging.stg_jd__orders union all "
                "select native_id from staging.stg_wechat__orders union all "
                "select native_id from staging.stg_u8__sales_orders"
            )
        }
    assert raw_total == len(GOOD) + len(BAD)
    assert not staged_ids & {"1", "2", "3", "4", "5", "6", "SO-BAD"}


def test_quarantine_names_each_reason(module_db_url: str, staged: str) -> None:
    run_dbt(staged, "run", "--select", "int_payloads__quarantined")
    with psycopg.connect(staged) as conn:
        reasons = {
            r[0] for r in conn.execute("select reason from intermediate.int_payloads__quarantined")
        }
    assert reasons == {reason for _, reason in BAD}


def test_unmapped_status_check_fails_while_one_is_present(staged: str) -> None:
    done = run_dbt(staged, "test", "--select", "assert_every_native_status_is_mapped", check=False)
    assert "WARN 1 assert_every_native_status_is_mapped" in done.stdout, done.stdout[-3000:]


def test_a_changed_parser_function_takes_effect_on_the_next_run(staged: str) -> None:
    with psycopg.connect(staged) as conn:
        conn.execute(
            "create or replace function staging.try_cn_timestamptz(value text) "
            "returns timestamptz language sql immutable as 'select null::timestamptz'"
        )
    run_dbt(staged, "run", "--select", "stg_taobao__trades")
    (parsed,) = one(staged, "select staging.try_cn_timestamptz('2026-10-01 08:00:00')")
    assert parsed == datetime(2026, 10, 1, 0, 0, tzinfo=UTC)


def test_concurrent_runs_can_replace_the_parser_function(staged: str) -> None:
    # the on-run-start hook's SQL, as every dbt invocation sends it: its only Jinja is var()
    macro = (DBT_PROJECT_DIR / "macros" / "parsing.sql").read_text()
    hook = macro.split("{% macro create_parsing_functions() %}")[1].split("{% endmacro %}")[0]
    for name, value in dbt_vars().items():
        hook = hook.replace(f'{{{{ var("{name}") }}}}', str(value))
    assert "{{" not in hook and "{%" not in hook
    errors: list[str] = []

    def run_hook() -> None:
        with psycopg.connect(staged, autocommit=True) as conn:
            for _ in range(40):
                try:
                    conn.execute(hook)
                except psycopg.Error as error:
                    errors.append(str(error))

    threads = [threading.Thread(target=run_hook) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
