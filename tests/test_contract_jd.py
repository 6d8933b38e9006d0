"""JD orders in the layouts real `jingdong.pop.order.search` responses have (docs/domain.md §2a).

Hand-written `orderInfoList` elements are landed through the real landing code and staged by the
real dbt models on a real Postgres; the staged rows and the quarantine reasons are asserted.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import psycopg
import pytest

from ingest.load import Record, land_records
from plumbing.dbt_cli import run_dbt

pytestmark = pytest.mark.integration


def jd(native_id: str | None, body: dict) -> Record:
    return Record("jd", native_id, json.dumps(body, ensure_ascii=False))


def items(*lines: tuple[str, str]) -> list[dict]:
    return [
        {"skuId": f"10001234567{n}", "skuName": "…", "jdPrice": price, "itemTotal": qty}
        for n, (price, qty) in enumerate(lines)
    ]


# orderId a JSON number, modified only in orderExt, no after-sale fields, ciphertext consignee
PAID = {
    "orderId": 301234567001,
    "orderState": "WAIT_SELLER_STOCK_OUT",
    "orderStartTime": "2026-10-01 09:12:44",
    "paymentConfirmTime": "2026-10-01 09:13:02",
    "orderExt": '{"road":"","modified":1790817182417}',
    "orderTotalPrice": "198.00",
    "sellerDiscount": "0.00",
    "orderSellerPrice": "198.00",
    "freightPrice": "2.07",
    "orderPayment": "200.07",
    "payType": "4-在线支付",
    "consigneeInfo": {
        "fullname": "~AgAAAAEH2nZ0ZqG1Xk3Wm1c~",
        "mobile": "138****1234",
        "fullAddress": "~AgAAAAEH2nZ0ZqG1Xk3Wm1d8Jm~",
    },
    "itemInfoList": items(("99.00", "2")),
}
# orderId as a string, milliseconds and an offset, a seller discount, completed
FINISHED = {
    **PAID,
    "orderId": "301234567002",
    "orderState": "FINISHED_L",
    "orderStartTime": "2026-10-01 09:12:44.683+0800",
    "paymentConfirmTime": "2026-10-01 09:13:02.120+0800",
    "orderEndTime": "2026-10-04 18:00:00",
    "orderExt": '{"modified":1791108000000}',
    "orderTotalPrice": "100.00",
    "sellerDiscount": "10.00",
    "orderSellerPrice": "90.00",
    "freightPrice": "0.00",
    "orderPayment": "90.00",
    "itemInfoList": items(("50.00", "1"), ("25.00", "2")),
}
# only the fields the request asked for: no lines, no freight, no orderExt, no payment time
MINIMAL = {
    "orderId": "301234567003",
    "orderState": "WAIT_GOODS_RECEIVE_CONFIRM",
    "orderStartTime": "2026-10-01 09:12:44",
    "orderPayment": "59.90",
}
COD_UNPAID = {
    **PAID,
    "orderId": "301234567004",
    "paymentConfirmTime": "0001-01-01 00:00:00",
    "payType": "1-货到付款",
}
# a platform coupon makes the payment differ from the lines: not a unit error
COUPON = {**PAID, "orderId": "301234567005", "orderPayment": "180.07"}
# after-sale fields are not on real orders: one that carries them is staged as any other order,
# the refund coming only from the refund apply API (tests/test_contract_refunds.py)
AFTER_SALE = {
    **FINISHED,
    "orderId": "301234567006",
    "afsStatus": "COMPLETED",
    "refundAmount": "25.00",
}
LONG_NUMBER_ID = {**MINIMAL, "orderId": 9007199254740993}  # above 2^53
TOP_LEVEL_MODIFIED = {**MINIMAL, "orderId": "301234567007", "modified": "2026-10-02 10:00:00"}
NEW_STATES = {
    "301234567011": "POP_ORDER_PAUSE",
    "301234567012": "WAIT_SEND_CODE",
    "301234567013": "DELIVERY_RETURN",
    "301234567014": "UN_KNOWN",
}

GOOD = [
    jd("301234567001", PAID),
    jd("301234567002", FINISHED),
    jd("301234567003", MINIMAL),
    jd("301234567004", COD_UNPAID),
    jd("301234567005", COUPON),
    jd("301234567006", AFTER_SALE),
    jd("9007199254740993", LONG_NUMBER_ID),
    jd("301234567007", TOP_LEVEL_MODIFIED),
    *(jd(i, {**PAID, "orderId": i, "orderState": s}) for i, s in NEW_STATES.items()),
]
BAD = [
    (jd(None, {k: v for k, v in PAID.items() if k != "orderId"}), "missing field: orderId"),
    (
        jd("8", {**PAID, "orderId": {"id": "8"}}),
        "changed type: orderId is object",
    ),
    (
        jd("JD-9", {**PAID, "orderId": "JD-9"}),
        "changed type: orderId = JD-9 is not a number of digits",
    ),
    (
        jd("10", {k: v for k, v in {**PAID, "orderId": "10"}.items() if k != "orderState"}),
        "missing field: orderState",
    ),
    (
        jd("11", {k: v for k, v in {**PAID, "orderId": "11"}.items() if k != "orderStartTime"}),
        "missing field: orderStartTime",
    ),
    (
        jd("12", {**PAID, "orderId": "12", "orderState": "SOMETHING_NEW"}),
        "unknown native status: SOMETHING_NEW",
    ),
    (
        jd("13", {k: v for k, v in {**PAID, "orderId": "13"}.items() if k != "orderPayment"}),
        "missing field: orderPayment",
    ),
    (
        jd("14", {**PAID, "orderId": "14", "orderPayment": True}),
        "changed type: orderPayment is boolean",
    ),
    (
        jd("15", {**PAID, "orderId": "15", "orderExt": '{"modified":"soon"}'}),
        "unparseable time: orderExt.modified = soon",
    ),
    (
        # paid or cash on delivery cannot be told without it
        jd("16", {k: v for k, v in {**PAID, "orderId": "16"}.items() if k != "paymentConfirmTime"}),
        "missing field: paymentConfirmTime",
    ),
    (
        # fen sent where JD sends yuan: 100× what the lines and freight add up to
        jd("17", {**PAID, "orderId": "17", "orderPayment": "20007"}),
        "money unit: orderPayment = 20007 is 100× or 1/100 of what the lines add up to (20007 fen)",
    ),
    (
        # lines in fen against a payment in yuan: the payment is 1/100 of the lines
        jd(
            "18",
            {
                **PAID,
                "orderId": "18",
                "freightPrice": "0.00",
                "orderPayment": "200.00",
                "itemInfoList": items(("20000", "1")),
            },
        ),
        "money unit: orderPayment = 200.00 is 100× or 1/100 of what the lines add up to "
        "(2000000 fen)",
    ),
    (
        jd("19", {**PAID, "orderId": "19", "freightPrice": "2,07"}),
        "unparseable amount: freightPrice = 2,07",
    ),
]


@pytest.fixture(scope="module")
def staged(module_db_url: str) -> str:
    with psycopg.connect(module_db_url) as conn:
        land_records(conn, [*GOOD, *(payload for payload, _ in BAD)], label="jd-contract-test")
    run_dbt(module_db_url, "build", "--select", "path:seeds path:models/staging/jd")
    return module_db_url


def one(url: str, sql: str, params: tuple | dict = ()) -> tuple:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql, params).fetchone()
    assert row is not None, sql
    return row


def order(url: str, native_id: str, columns: str) -> tuple:
    return one(
        url,
        f"select {columns} from staging.stg_jd__orders where native_id = %(id)s",  # noqa: S608
        {"id": native_id},
    )


def test_real_paid_order_parses_with_number_id_and_modified_in_order_ext(staged: str) -> None:
    row = order(
        staged,
        "301234567001",
        "state, paid_at, created_at, modified_at, payment_fen, post_fee_fen, time_precision,"
        " native_refund_status, is_on_hold, status_is_cancelled",
    )
    assert row == (
        "paid",
        datetime(2026, 10, 1, 1, 13, 2, tzinfo=UTC),
        datetime(2026, 10, 1, 1, 12, 44, tzinfo=UTC),
        datetime(2026, 10, 1, 1, 13, 2, 417000, tzinfo=UTC),  # orderExt.modified, epoch ms
        20007,
        207,
        "second",
        None,
        False,
        False,
    )


def test_receiver_comes_from_consignee_info_as_sent(staged: str) -> None:
    name, phone = order(staged, "301234567001", "receiver_name, receiver_phone")
    assert (name, phone) == ("~AgAAAAEH2nZ0ZqG1Xk3Wm1c~", "138****1234")


def test_milliseconds_offset_discount_and_completion(staged: str) -> None:
    row = order(
        staged,
        "301234567002",
        "state, created_at, paid_at, completed_at, payment_fen, post_fee_fen, time_precision",
    )
    assert row == (
        "completed",
        datetime(2026, 10, 1, 1, 12, 44, 683000, tzinfo=UTC),
        datetime(2026, 10, 1, 1, 13, 2, 120000, tzinfo=UTC),
        datetime(2026, 10, 4, 10, 0, tzinfo=UTC),
        9000,
        0,
        "millisecond",
    )


def test_fields_not_asked_for_are_not_a_fault(staged: str) -> None:
    row = order(
        staged,
        "301234567003",
        "state, paid_at, payment_fen, post_fee_fen, modified_at = created_at, receiver_name",
    )
    assert row == ("shipped", None, 5990, 0, True, None)


def test_top_level_modified_is_read_when_order_ext_is_absent(staged: str) -> None:
    (modified,) = order(staged, "301234567007", "modified_at")
    assert modified == datetime(2026, 10, 2, 2, 0, tzinfo=UTC)


def test_unpaid_sentinel_keeps_a_stock_out_order_created(staged: str) -> None:
    state, paid_at, hold = order(staged, "301234567004", "state, paid_at, is_on_hold")
    assert (state, paid_at, hold) == ("created", None, False)


def test_order_id_is_kept_exactly_even_above_two_to_the_53(staged: str) -> None:
    (native_id,) = one(
        staged,
        "select native_id from staging.stg_jd__orders where native_id like '9007%%'",
    )
    assert native_id == "9007199254740993"


def test_a_payment_below_the_lines_is_no_unit_error(staged: str) -> None:
    (payment,) = order(staged, "301234567005", "payment_fen")
    assert payment == 18007


def test_after_sale_fields_on_an_order_are_never_its_refund(staged: str) -> None:
    row = order(staged, "301234567006", "state, native_refund_status, parse_error")
    assert row == ("completed", None, None)
    with psycopg.connect(staged) as conn:
        columns = {
            name
            for (name,) in conn.execute(
                "select column_name from information_schema.columns"
                " where table_schema = 'staging' and table_name = 'stg_jd__order_versions'"
            )
        }
    assert not columns & {"refund_fen", "refund_phase"}


def test_further_states_map_conservatively(staged: str) -> None:
    with psycopg.connect(staged) as conn:
        mapped = {
            r[0]: r[1:]
            for r in conn.execute(
                "select native_status, state, is_on_hold, status_is_cancelled"
                " from staging.stg_jd__orders"
                " where native_id between '301234567011' and '301234567014'"
            )
        }
    assert mapped == {
        "POP_ORDER_PAUSE": ("paid", True, False),
        "WAIT_SEND_CODE": ("paid", False, False),
        "DELIVERY_RETURN": ("shipped", True, False),
        "UN_KNOWN": ("created", True, False),  # no confident stage for a state JD does not know
    }


def test_every_real_shape_parses_and_every_bad_one_is_quarantined_with_its_reason(
    staged: str,
) -> None:
    with psycopg.connect(staged) as conn:
        versions = conn.execute(
            "select raw.native_id, versions.parse_error from staging.stg_jd__order_versions"
            " as versions join raw.jd_orders as raw using (raw_id)"
        ).fetchall()
    quarantined = {error for _, error in versions if error is not None}
    parsed = {native_id for native_id, error in versions if error is None}
    assert parsed == {payload.native_id for payload in GOOD}
    assert quarantined == {reason for _, reason in BAD}
    assert len(versions) == len(GOOD) + len(BAD)
