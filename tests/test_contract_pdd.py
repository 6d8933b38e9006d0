"""Pinduoduo orders in the shapes real `pdd.order.number.list.increment.get` responses have.

Hand-written `order_sn_list` elements in the real layout (money as JSON numbers, empty strings
for times not reached, `pay_time` beside `confirm_time`, `after_sales_status`, `*_mask`
receiver fields, older responses without `confirm_status`) are landed through the real landing
code and staged by the real dbt models on a real Postgres.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import psycopg
import pytest

from ingest.load import Record, land_records
from plumbing.dbt_cli import run_dbt

pytestmark = pytest.mark.integration


class Num(str):
    """A JSON number written exactly as given (`Num("200.07")` lands as 200.07, not a string)."""


def _marked(value: object) -> object:
    if isinstance(value, Num):
        return f"\x00{value}\x00"
    if isinstance(value, dict):
        return {k: _marked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_marked(v) for v in value]
    return value


def p(body: dict) -> Record:
    text = json.dumps(_marked(body), ensure_ascii=False)
    text = text.replace('"\\u0000', "").replace('\\u0000"', "")
    return Record("pdd", body.get("order_sn"), text)


def line(price: str | Num, count: int | str, goods_id: int | str = "9006178211") -> dict:
    return {
        "goods_id": goods_id,
        "goods_name": "保温杯",
        "goods_count": count,
        "goods_price": price,
    }


def with_lines(body: dict, *lines: dict) -> dict:
    return {**body, "item_list": list(lines)}


TO_SHIP = {
    "order_sn": "261001-512345678901234",
    "order_status": 1,
    "confirm_status": 1,
    "refund_status": 1,
    "after_sales_status": 0,
    "risk_control_status": 0,
    "group_status": 1,
    "created_time": "2026-10-01 12:00:00",
    "pay_time": "2026-10-01 12:01:00",
    "confirm_time": "2026-10-01 12:01:00",
    "shipping_time": "",
    "receive_time": "",
    "updated_at": "2026-10-01 12:01:05",
    "goods_amount": Num("198"),
    "postage": Num("2.07"),
    "discount_amount": Num("0"),
    "seller_discount": Num("0"),
    "platform_discount": Num("0"),
    "capital_free_discount": Num("0"),
    "pay_amount": Num("200.07"),
    "receiver_name": "~AgAAAAF4b2kE3Q==~0~",
    "receiver_name_mask": "张*",
    "receiver_phone": "$5Z9d$AQAAAAGQbsEcGm0E$1$",
    "receiver_phone_mask": "138****1234",
    "address": "~AgAAAAF4b2kF9w==~0~",
    "address_mask": "浙江省杭州市西湖区****",
}
TO_SHIP = with_lines(TO_SHIP, line(Num("99"), 2))
FIRST_ID = TO_SHIP["order_sn"]


def order(suffix: str, **fields: object) -> dict:
    return {**TO_SHIP, "order_sn": FIRST_ID[:-3] + suffix, **fields}


GROUP_BUY = order(
    "002",
    pay_time="2026-10-01 12:01:00",
    confirm_time="2026-10-01 18:30:00",
    updated_at="2026-10-01 18:30:00",
)
GROUP_FORMING = order(
    "003",
    confirm_status=0,
    group_status=0,
    confirm_time="",
    receiver_name="",
    receiver_phone="",
)
OLDER_SHIPPED = {
    k: v
    for k, v in order(
        "004",
        order_status=2,
        shipping_time="2026-10-02 09:00:00",
        updated_at="2026-10-02 09:00:00",
        receiver_name="",
        receiver_phone="",
    ).items()
    if k != "confirm_status"
}
OLDER_UNPAID = {
    k: v
    for k, v in order("005", pay_time="", confirm_time="", updated_at="2026-10-01 12:00:00").items()
    if k != "confirm_status"
}
SIGNED = order(
    "006",
    order_status=3,
    shipping_time="2026-10-02 09:00:00",
    receive_time="2026-10-04 20:15:30",
    updated_at="2026-10-04 20:15:30",
    receiver_name="",
    receiver_phone="",
)
RISK_HELD = order("007", risk_control_status=1, receiver_name="", receiver_phone="")
REFUNDED_CANCELLED = order(
    "008",
    confirm_status=2,
    refund_status=4,
    after_sales_status=10,
    updated_at="2026-10-02 10:00:00",
    receiver_name="",
    receiver_phone="",
)
AFTER_SALE_OPEN = order("009", refund_status=2, after_sales_status=2)
REFUNDING = order("010", refund_status=3, after_sales_status=5)
REFUNDED_NO_REFUND_STATUS = {
    k: v for k, v in order("011", after_sales_status=10).items() if k != "refund_status"
}
INTEGER_MONEY = with_lines(
    order("012", goods_amount=Num("168"), postage=Num("0"), pay_amount=Num("168")),
    line(Num("168"), 1),
)
ONE_DECIMAL = with_lines(
    order("013", goods_amount=Num("4.5"), postage=Num("0"), pay_amount=Num("4.5")),
    line(Num("4.5"), 1),
)
STRING_MONEY = with_lines(
    order("014", goods_amount="9.90", postage="0.00", pay_amount="9.90"),
    line("9.90", "1", goods_id=9006178212),
)
DISCOUNTED = with_lines(
    order(
        "015",
        goods_amount=Num("300"),
        postage=Num("6"),
        discount_amount=Num("26"),
        seller_discount=Num("10"),
        platform_discount=Num("16"),
        pay_amount=Num("280"),
    ),
    line(Num("100"), 3),
)
DISCOUNT_PARTS_ONLY = with_lines(
    {
        k: v
        for k, v in order(
            "016",
            postage=Num("6"),
            seller_discount=Num("10"),
            platform_discount=Num("16"),
            capital_free_discount=Num("4"),
            pay_amount=Num("276"),
        ).items()
        if k != "discount_amount"
    },
    line(Num("100"), 3),
)
NO_OPTIONAL = {
    k: v
    for k, v in order("017").items()
    if k
    not in (
        "confirm_status",
        "postage",
        "discount_amount",
        "seller_discount",
        "platform_discount",
        "capital_free_discount",
        "item_list",
        "updated_at",
        "receiver_name",
        "receiver_phone",
    )
}
NO_LINES_BARE_AMOUNT = {
    k: v for k, v in order("018", pay_amount=Num("20007")).items() if k != "item_list"
}

GOOD = [
    TO_SHIP,
    GROUP_BUY,
    GROUP_FORMING,
    OLDER_SHIPPED,
    OLDER_UNPAID,
    SIGNED,
    RISK_HELD,
    REFUNDED_CANCELLED,
    AFTER_SALE_OPEN,
    REFUNDING,
    REFUNDED_NO_REFUND_STATUS,
    INTEGER_MONEY,
    ONE_DECIMAL,
    STRING_MONEY,
    DISCOUNTED,
    DISCOUNT_PARTS_ONLY,
    NO_OPTIONAL,
    NO_LINES_BARE_AMOUNT,
]

BAD = [
    (
        order("101", pay_amount=Num("20007")),
        "money unit: pay_amount = 20007 is 100× or 1/100 of what the lines add up to (20007 fen)",
    ),
    (
        order("102", pay_amount="2.00", postage=Num("2")),
        "money unit: pay_amount = 2.00 is 100× or 1/100 of what the lines add up to (20000 fen)",
    ),
    (
        with_lines(order("103", pay_amount=Num("28000")), *DISCOUNTED["item_list"])
        | {k: DISCOUNTED[k] for k in ("postage", "discount_amount")},
        "money unit: pay_amount = 28000 is 100× or 1/100 of what the lines add up to (28000 fen)",
    ),
    ({k: v for k, v in order("104").items() if k != "order_sn"}, "missing field: order_sn"),
    (
        {k: v for k, v in order("105").items() if k != "order_status"},
        "missing field: order_status",
    ),
    (
        {k: v for k, v in order("106").items() if k != "created_time"},
        "missing field: created_time",
    ),
    ({k: v for k, v in order("107").items() if k != "pay_amount"}, "missing field: pay_amount"),
    (order("108", order_status=9), "unknown native status: 9/1"),
    (order("109", confirm_status=7), "unknown native status: 1/7"),
    (order("111", pay_amount=True), "unparseable amount: pay_amount = true"),
    (
        order("112", pay_amount={"amount": 200.07}),
        'unparseable amount: pay_amount = {"amount": 200.07}',
    ),
    (order("113", postage="2,07"), "unparseable amount: postage = 2,07"),
    (
        with_lines(order("114"), line("abc", 2)),
        "unparseable amount: item_list goods_price = abc",
    ),
    (
        with_lines(order("115"), line(Num("99"), "two")),
        "unparseable amount: item_list goods_count = two",
    ),
    (
        order("116", pay_time="2026/10/01 12:01"),
        "unparseable time: pay_time = 2026/10/01 12:01",
    ),
    (
        order("117", confirm_time="1790827260"),
        "unparseable time: confirm_time = 1790827260",
    ),
    (
        order("118", order_status=2, shipping_time="yesterday"),
        "unparseable time: shipping_time = yesterday",
    ),
    (
        order("119", created_time="2026-13-45 25:61:00"),
        "unparseable time: created_time = 2026-13-45 25:61:00",
    ),
    (order("120", discount_amount="n/a"), "unparseable amount: discount_amount = n/a"),
]


@pytest.fixture(scope="module")
def staged(module_db_url: str) -> str:
    with psycopg.connect(module_db_url) as conn:
        land_records(conn, [p(b) for b in GOOD] + [p(b) for b, _ in BAD], label="contract-pdd")
    run_dbt(module_db_url, "build", "--select", "path:seeds path:models/staging/pdd")
    return module_db_url


def version(url: str, native_id: str, columns: str) -> tuple:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            f"select {columns} from staging.stg_pdd__order_versions where native_id = %s",
            (native_id,),
        ).fetchone()
    assert row is not None, native_id
    return row


def staged_order(url: str, native_id: str, columns: str) -> tuple:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            f"select {columns} from staging.stg_pdd__orders where native_id = %s", (native_id,)
        ).fetchone()
    assert row is not None, f"{native_id} not staged"
    return row


def test_payloads_carry_json_numbers() -> None:
    landed = json.loads(p(DISCOUNTED).payload)
    assert landed["pay_amount"] == 280 and landed["item_list"][0]["goods_price"] == 100
    one_decimal = json.loads(p(ONE_DECIMAL).payload, parse_float=Decimal)
    assert one_decimal["pay_amount"] == Decimal("4.5")


def test_every_real_shape_parses(staged: str) -> None:
    with psycopg.connect(staged) as conn:
        errors = dict(
            conn.execute(
                "select native_id, parse_error from staging.stg_pdd__order_versions"
                " where parse_error is not null"
            ).fetchall()
        )
    assert not {b["order_sn"]: errors[b["order_sn"]] for b in GOOD if b["order_sn"] in errors}


def test_json_number_money_and_string_times_to_ship(staged: str) -> None:
    row = staged_order(
        staged,
        FIRST_ID,
        "native_id, native_status, state, status_is_cancelled, is_on_hold, native_refund_status,"
        " created_at, paid_at, shipped_at, completed_at, modified_at, time_precision,"
        " payment_fen, post_fee_fen",
    )
    assert row == (
        "261001-512345678901234",
        "1/1",
        "paid",
        False,
        False,
        "0",
        datetime(2026, 10, 1, 4, 0, tzinfo=UTC),
        datetime(2026, 10, 1, 4, 1, tzinfo=UTC),
        None,
        None,
        datetime(2026, 10, 1, 4, 1, 5, tzinfo=UTC),
        "second",
        20007,
        207,
    )


def test_integer_one_decimal_and_string_amounts_are_exact(staged: str) -> None:
    for body, fen in ((INTEGER_MONEY, 16800), (ONE_DECIMAL, 450), (STRING_MONEY, 990)):
        assert staged_order(staged, body["order_sn"], "payment_fen, post_fee_fen") == (fen, 0)


def test_paid_time_is_pay_time_not_the_later_group_confirm_time(staged: str) -> None:
    paid_at, modified_at, state = staged_order(
        staged, GROUP_BUY["order_sn"], "paid_at, modified_at, state"
    )
    assert paid_at == datetime(2026, 10, 1, 4, 1, tzinfo=UTC)
    assert modified_at == datetime(2026, 10, 1, 10, 30, tzinfo=UTC)
    assert state == "paid"


def test_paid_group_not_formed_is_held_not_paid_success(staged: str) -> None:
    state, paid_at, held = staged_order(
        staged, GROUP_FORMING["order_sn"], "state, paid_at, is_on_hold"
    )
    assert (state, paid_at, held) == ("paid", datetime(2026, 10, 1, 4, 1, tzinfo=UTC), True)


def test_older_responses_without_confirm_status_are_understood(staged: str) -> None:
    row = staged_order(
        staged, OLDER_SHIPPED["order_sn"], "native_status, state, paid_at, shipped_at"
    )
    assert row == (
        "2/1",
        "shipped",
        datetime(2026, 10, 1, 4, 1, tzinfo=UTC),
        datetime(2026, 10, 2, 1, 0, tzinfo=UTC),
    )
    row = staged_order(
        staged, OLDER_UNPAID["order_sn"], "native_status, state, paid_at, is_on_hold"
    )
    assert row == ("1/0", "created", None, False)


def test_signed_order_has_ship_and_sign_times(staged: str) -> None:
    state, shipped_at, completed_at = staged_order(
        staged, SIGNED["order_sn"], "state, shipped_at, completed_at"
    )
    assert state == "completed"
    assert shipped_at == datetime(2026, 10, 2, 1, 0, tzinfo=UTC)
    assert completed_at == datetime(2026, 10, 4, 12, 15, 30, tzinfo=UTC)


def test_risk_control_review_holds_the_funds(staged: str) -> None:
    assert staged_order(staged, RISK_HELD["order_sn"], "state, is_on_hold") == ("paid", True)
    assert staged_order(staged, FIRST_ID, "is_on_hold") == (False,)


def test_receiver_falls_back_to_the_masked_variants(staged: str) -> None:
    assert staged_order(staged, FIRST_ID, "receiver_name, receiver_phone") == (
        "~AgAAAAF4b2kE3Q==~0~",
        "$5Z9d$AQAAAAGQbsEcGm0E$1$",
    )
    assert staged_order(staged, SIGNED["order_sn"], "receiver_name, receiver_phone") == (
        "张*",
        "138****1234",
    )


def test_the_orders_after_sales_status_is_kept_but_never_read_as_a_refund(staged: str) -> None:
    # the refund (and whether it was refund only) comes from pdd.refund.list.increment.get
    expected = {
        REFUNDED_CANCELLED["order_sn"]: ("10", True),
        AFTER_SALE_OPEN["order_sn"]: ("2", False),
        REFUNDING["order_sn"]: ("5", False),
        REFUNDED_NO_REFUND_STATUS["order_sn"]: ("10", False),
        FIRST_ID: ("0", False),
    }
    for native_id, want in expected.items():
        got = staged_order(staged, native_id, "native_refund_status, status_is_cancelled")
        assert got == want, native_id


def test_refund_successful_order_flagged_cancelled_keeps_its_stage(staged: str) -> None:
    state, cancelled, paid_at = staged_order(
        staged, REFUNDED_CANCELLED["order_sn"], "state, status_is_cancelled, paid_at"
    )
    assert (state, cancelled) == ("created", True)
    assert paid_at == datetime(2026, 10, 1, 4, 1, tzinfo=UTC)


def test_optional_fields_may_be_absent(staged: str) -> None:
    row = staged_order(
        staged,
        NO_OPTIONAL["order_sn"],
        "native_status, state, payment_fen, post_fee_fen, modified_at, receiver_name,"
        " receiver_phone",
    )
    assert row == (
        "1/1",
        "paid",
        20007,
        0,
        datetime(2026, 10, 1, 4, 0, tzinfo=UTC),
        "张*",
        "138****1234",
    )


def test_goods_id_as_string_or_number_and_id_exact(staged: str) -> None:
    for body in (TO_SHIP, STRING_MONEY):
        (native_id,) = staged_order(staged, body["order_sn"], "native_id")
        assert native_id == body["order_sn"]


def test_lines_with_discounts_agree_with_payment(staged: str) -> None:
    for body, fen in ((DISCOUNTED, 28000), (DISCOUNT_PARTS_ONLY, 27600)):
        assert staged_order(staged, body["order_sn"], "payment_fen, post_fee_fen") == (fen, 600)


def test_without_lines_a_bare_amount_cannot_be_checked(staged: str) -> None:
    (payment,) = staged_order(staged, NO_LINES_BARE_AMOUNT["order_sn"], "payment_fen")
    assert payment == 2000700


@pytest.mark.parametrize(
    ("body", "reason"),
    BAD,
    ids=[f"{b.get('order_sn', '-none')[-3:]} {r.split(':')[0]}" for b, r in BAD],
)
def test_bad_payloads_are_quarantined_with_the_real_cause(
    staged: str, body: dict, reason: str
) -> None:
    with psycopg.connect(staged) as conn:
        found = conn.execute(
            "select parse_error from staging.stg_pdd__order_versions"
            " where native_id is not distinct from %s",
            (body.get("order_sn"),),
        ).fetchall()
        in_orders = conn.execute(
            "select count(*) from staging.stg_pdd__orders where native_id is not distinct from %s",
            (body.get("order_sn"),),
        ).fetchone()[0]
    assert [r[0] for r in found] == [reason]
    assert in_orders == 0
