"""WeChat shop orders in the layouts real `channels/ec/order/get` responses have.

Hand-written payloads (docs/domain.md §2a, docs/payloads.md) are landed through the real landing
code and staged by the real dbt models on a real Postgres; the staged rows and the quarantine
reasons are what the tests look at.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import psycopg
import pytest

from ingest.load import Record, land_records
from plumbing.dbt_cli import run_dbt

pytestmark = pytest.mark.integration


def p(native_id: str | None, body: dict | str) -> Record:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return Record("wechat", native_id, text)


def with_bare_id(body: dict, digits: str) -> str:
    """`body` as JSON text with `order_id` a bare number written as `digits` (no float)."""
    return json.dumps(body, ensure_ascii=False).replace(
        f'"order_id": "{body["order_id"]}"', f'"order_id": {digits}'
    )


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


CREATED, PAID, SHIPPED, RECEIVED = 1790817164, 1790817182, 1790903582, 1791162782

# status 30 as the API answers it: two lines, a discount, one package, after-sales empty
SHIPPED_ORDER = {
    "order_id": "3705115058471208001",
    "status": 30,
    "create_time": CREATED,
    "update_time": SHIPPED,
    "order_detail": {
        "product_infos": [
            {
                "product_id": "10000171827607",
                "sku_id": "2831441781",
                "title": "青橘连衣裙",
                "sku_cnt": 2,
                "sale_price": 9900,
                "market_price": 12900,
                "on_aftersale_sku_cnt": 0,
                "finish_aftersale_sku_cnt": 0,
            },
            {"product_id": "10000171827608", "sku_id": "2831441782", "sku_cnt": 1, "sale_price": 0},
        ],
        "price_info": {
            "product_price": 19800,
            "order_price": 19007,
            "freight": 207,
            "discounted_price": 1000,
            "is_discounted": True,
        },
        "pay_info": {"payment_method": 1, "pay_time": PAID, "transaction_id": "4301202590202412"},
        "delivery_info": {
            "address_info": {"user_name": "张**", "tel_number": "139****1755", "detail_info": "**"},
            "delivery_product_info": [
                {
                    "waybill_id": "312317650762748",
                    "delivery_id": "YD",
                    "delivery_time": SHIPPED - 60,
                    "deliver_type": 1,
                }
            ],
            "ship_done_time": SHIPPED,
            "deliver_method": 0,
        },
        "ext_info": {"customer_notes": "", "merchant_notes": ""},
    },
    "aftersale_detail": {"on_aftersale_order_cnt": 0, "aftersale_order_list": []},
}
DETAIL = SHIPPED_ORDER["order_detail"]


def order(order_id: str, **changes: object) -> dict:
    return {**SHIPPED_ORDER, "order_id": order_id, **changes}


def detail(**changes: object) -> dict:
    return {**DETAIL, **changes}


def price(**changes: object) -> dict:
    return {**DETAIL["price_info"], **changes}


def lines(*quantities_and_prices: tuple[int, int], **extra: object) -> list[dict]:
    return [
        {"product_id": f"1000{n}", "sku_cnt": qty, "sale_price": fen, **extra}
        for n, (qty, fen) in enumerate(quantities_and_prices)
    ]


# a relay's bare JSON number above 2**53, written as text so no float can touch it
NUMERIC_ID = "3705115058471208928"
NUMERIC_ID_TEXT = with_bare_id(order("0"), NUMERIC_ID)

COMPLETED_AFTERSALE_IDS_ONLY = order(
    "3705115058471208003",
    status=100,
    update_time=RECEIVED + 5,
    order_detail=detail(
        product_infos=lines((1, 19800), finish_aftersale_sku_cnt=1),
        price_info=price(discounted_price=0, order_price=20007),
        ext_info={"customer_notes": "", "merchant_notes": "", "confirm_receipt_time": RECEIVED},
    ),
    aftersale_detail={
        "on_aftersale_order_cnt": 0,
        "aftersale_order_list": [{"aftersale_order_id": "2000000075529920"}],
    },
)
OPEN_AFTERSALE_INTEGER_STATUS = order(
    "3705115058471208004",
    aftersale_detail={
        "on_aftersale_order_cnt": 1,
        "aftersale_order_list": [{"aftersale_order_id": "2000000075529921", "status": 1}],
    },
)
CLOSED_AFTERSALE = order(
    "3705115058471208005",
    aftersale_detail={
        "on_aftersale_order_cnt": 0,
        "aftersale_order_list": [{"aftersale_order_id": "2000000075529922"}],
    },
)
SHIP_DONE_ONLY = order(
    "3705115058471208006",
    order_detail=detail(delivery_info={"ship_done_time": SHIPPED, "deliver_method": 1}),
)
GIFT = order(
    "3705115058471208007",
    status=20,
    update_time=CREATED + 3,
    is_present=True,
    order_detail=detail(
        pay_info={"payment_method": 1, "pay_time": CREATED - 9},
        delivery_info={"address_info": DETAIL["delivery_info"]["address_info"]},
    ),
)
UNPAID = order(
    "3705115058471208008",
    status=10,
    update_time=CREATED,
    order_detail=detail(
        pay_info={"prepay_id": "up_wx20115809263560bdc3bda251ae3eee0000", "prepay_time": CREATED},
        delivery_info={"address_info": DETAIL["delivery_info"]["address_info"]},
    ),
)
MINIMAL = {  # only what the API always sends: no lines, no freight, no discount, no after-sales
    "order_id": "37051150584712089",  # 17 digits
    "status": 20,
    "create_time": CREATED,
    "order_detail": {"price_info": {"order_price": 9900}, "pay_info": {"pay_time": PAID}},
}
REFUND_AMOUNT_ON_ENTRY = order(  # an amount on an entry (no real order has one) is never read
    "3705115058471208009",
    status=100,
    aftersale_detail={
        "on_aftersale_order_cnt": 0,
        "aftersale_order_list": [
            {
                "aftersale_order_id": "2000000075529923",
                "status": "MERCHANT_REFUND_SUCCESS",
                "refund_amount": 500,
            }
        ],
    },
)
GROUP_BUY = order("3705115058471208015", status=15, update_time=PAID)
AWAITING_ACCEPTANCE = order("3705115058471208016", status=16, update_time=PAID)
AWAITING_VERIFICATION = order("3705115058471208017", status=17, update_time=PAID)
# order_price 1 fen less than its lines: a disagreement, but not the other unit
NOT_EXACTLY_THE_OTHER_UNIT = order(
    "3705115058471208020", order_detail=detail(price_info=price(order_price=19006))
)
ENVELOPE = {"errcode": 0, "errmsg": "ok", "order": order("3705115058471208021")}
REAL_PRICE_LINES = order(
    "3705115058471208022",
    order_detail=detail(
        product_infos=[{"product_id": "1", "sku_cnt": 2, "real_price": 18800}],
        price_info=price(order_price=19007),
    ),
)

GOOD = [
    p(SHIPPED_ORDER["order_id"], SHIPPED_ORDER),
    Record("wechat", NUMERIC_ID, NUMERIC_ID_TEXT),
    p(COMPLETED_AFTERSALE_IDS_ONLY["order_id"], COMPLETED_AFTERSALE_IDS_ONLY),
    p(OPEN_AFTERSALE_INTEGER_STATUS["order_id"], OPEN_AFTERSALE_INTEGER_STATUS),
    p(CLOSED_AFTERSALE["order_id"], CLOSED_AFTERSALE),
    p(SHIP_DONE_ONLY["order_id"], SHIP_DONE_ONLY),
    p(GIFT["order_id"], GIFT),
    p(UNPAID["order_id"], UNPAID),
    p(MINIMAL["order_id"], MINIMAL),
    p(REFUND_AMOUNT_ON_ENTRY["order_id"], REFUND_AMOUNT_ON_ENTRY),
    p(GROUP_BUY["order_id"], GROUP_BUY),
    p(AWAITING_ACCEPTANCE["order_id"], AWAITING_ACCEPTANCE),
    p(AWAITING_VERIFICATION["order_id"], AWAITING_VERIFICATION),
    p(NOT_EXACTLY_THE_OTHER_UNIT["order_id"], NOT_EXACTLY_THE_OTHER_UNIT),
    p("3705115058471208021", ENVELOPE),
    p(REAL_PRICE_LINES["order_id"], REAL_PRICE_LINES),
]

NO_ID = {k: v for k, v in SHIPPED_ORDER.items() if k != "order_id"}
BAD = {
    # money sent in the other unit, both ways, against lines and against price_info alone
    "3705115058471208101": (
        order("3705115058471208101", order_detail=detail(price_info=price(order_price=1900700))),
        "money unit: order_price = 1900700 is 100× or 1/100 of what the lines add up to"
        " (19007 fen)",
    ),
    "3705115058471208102": (
        order(
            "3705115058471208102",
            order_detail=detail(
                product_infos=lines((2, 10000)),
                price_info={"product_price": 20000, "order_price": 200, "freight": 0},
            ),
        ),
        "money unit: order_price = 200 is 100× or 1/100 of what the lines add up to (20000 fen)",
    ),
    "3705115058471208103": (
        {
            **MINIMAL,
            "order_id": "3705115058471208103",
            "order_detail": {
                "price_info": {"product_price": 19800, "freight": 207, "order_price": 2000700}
            },
        },
        "money unit: order_price = 2000700 is 100× or 1/100 of what the lines add up to"
        " (20007 fen)",
    ),
    "3705115058471208104": (
        order(
            "3705115058471208104",
            order_detail=detail(
                product_infos=[{"product_id": "1", "sku_cnt": 2, "real_price": 18793}],
                price_info=price(order_price=190),
            ),
        ),
        "money unit: order_price = 190 is 100× or 1/100 of what the lines add up to (19000 fen)",
    ),
    # missing required fields
    "3705115058471208111": (
        {k: v for k, v in order("3705115058471208111").items() if k != "status"},
        "missing field: status",
    ),
    "3705115058471208112": (
        {k: v for k, v in order("3705115058471208112").items() if k != "create_time"},
        "missing field: create_time",
    ),
    "3705115058471208113": (
        order("3705115058471208113", order_detail=detail(price_info={"freight": 207})),
        "missing field: order_price",
    ),
    # statuses and ids the contract does not know
    "3705115058471208121": (order("3705115058471208121", status=60), "unknown native status: 60"),
    "3705115058471208122.0": (
        with_bare_id(order("0"), "3705115058471208122.0"),
        "unparseable id: order_id = 3705115058471208122.0",
    ),
    # changed types and units
    "3705115058471208131": (
        order("3705115058471208131", create_time="2026-10-01 08:00:00"),
        "unparseable time: create_time = 2026-10-01 08:00:00",
    ),
    "3705115058471208132": (
        order("3705115058471208132", create_time=CREATED * 1000),
        f"unparseable time: create_time = {CREATED * 1000}",
    ),
    "3705115058471208133": (
        order("3705115058471208133", order_detail=detail(price_info=price(order_price="190.07"))),
        "unparseable amount: order_price = 190.07",
    ),
    "3705115058471208134": (
        order(
            "3705115058471208134", order_detail=detail(price_info=price(discounted_price="10.00"))
        ),
        "unparseable amount: discounted_price = 10.00",
    ),
    "3705115058471208135": (
        order("3705115058471208135", order_detail=detail(product_infos=lines((2, "99.00")))),
        "unparseable amount: product_infos sale_price = 99.00",
    ),
    "3705115058471208136": (
        order(
            "3705115058471208136",
            order_detail=detail(delivery_info={"ship_done_time": "2026-10-02 09:00:00"}),
        ),
        "unparseable time: ship_done_time = 2026-10-02 09:00:00",
    ),
    "3705115058471208138": (
        order("3705115058471208138", order_detail=detail(pay_info={"pay_time": "yesterday"})),
        "unparseable time: pay_time = yesterday",
    ),
}
API_ERROR = {"errcode": 40001, "errmsg": "invalid credential"}


@pytest.fixture(scope="module")
def staged(module_db_url: str) -> str:
    bad = [p(native_id, body) for native_id, (body, _) in BAD.items()]
    with psycopg.connect(module_db_url) as conn:
        land_records(
            conn,
            [*GOOD, *bad, p(None, NO_ID), p(None, API_ERROR)],
            label="wechat-contract-test",
        )
    run_dbt(module_db_url, "build", "--select", "path:seeds path:models/staging/wechat")
    return module_db_url


def one(url: str, sql: str, params: tuple | dict = ()) -> tuple:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql, params).fetchone()
    assert row is not None, (sql, params)
    return row


def staged_order(url: str, native_id: str, columns: str) -> tuple:
    return one(
        url,
        f"select {columns} from staging.stg_wechat__orders where native_id = %s",
        (native_id,),
    )


def test_a_real_order_parses_to_the_standard_version(staged: str) -> None:
    row = staged_order(
        staged,
        "3705115058471208001",
        "state, status_is_cancelled, is_on_hold, created_at, paid_at, shipped_at, modified_at,"
        " payment_fen, post_fee_fen, native_refund_status, receiver_phone, time_precision",
    )
    assert row == (
        "shipped",
        False,
        False,
        at(CREATED),
        at(PAID),
        at(SHIPPED),  # every package left: ship_done_time, not the first package's time
        at(SHIPPED),
        19007,  # product 19800 + freight 207 - discount 1000
        207,
        "NONE",
        "139****1755",
        "second",
    )


def test_order_id_is_kept_digit_for_digit_as_a_string_or_a_bare_number(staged: str) -> None:
    assert '"order_id": 3705115058471208928,' in NUMERIC_ID_TEXT
    (native_id,) = staged_order(staged, NUMERIC_ID, "native_id")
    assert native_id == NUMERIC_ID  # a float would have made it 3705115058471208960
    (state,) = staged_order(staged, "37051150584712089", "state")
    assert state == "paid"


def test_a_whole_api_answer_is_read_through_its_envelope(staged: str) -> None:
    assert staged_order(staged, "3705115058471208021", "state, payment_fen") == ("shipped", 19007)


def test_extra_real_statuses_are_mapped(staged: str) -> None:
    got = {
        native_id: staged_order(staged, native_id, "native_status, state, is_on_hold")
        for native_id in ("3705115058471208015", "3705115058471208016", "3705115058471208017")
    }
    assert got == {
        "3705115058471208015": ("15", "paid", True),  # group buy forming: funds held
        "3705115058471208016": ("16", "paid", False),
        "3705115058471208017": ("17", "paid", False),
    }


def test_after_sale_entries_without_amounts_never_quarantine_the_order(staged: str) -> None:
    refunds = {
        native_id: staged_order(staged, native_id, "native_refund_status")
        for native_id in ("3705115058471208003", "3705115058471208004", "3705115058471208005")
    }
    assert refunds == {
        "3705115058471208003": ("AFTERSALE_FINISHED",),
        "3705115058471208004": ("ON_AFTERSALE",),  # integer status: counts decide
        "3705115058471208005": ("AFTERSALE_CLOSED",),
    }


def test_refund_amounts_on_after_sale_entries_are_never_the_refund(staged: str) -> None:
    # the amount comes from channels/ec/aftersale/getaftersaleorder (tests/test_contract_refunds.py)
    row = staged_order(staged, "3705115058471208009", "state, native_refund_status, parse_error")
    assert row == ("completed", "MERCHANT_REFUND_SUCCESS", None)


def test_completion_is_the_receipt_confirmation_time(staged: str) -> None:
    state, completed_at, payment = staged_order(
        staged, "3705115058471208003", "state, completed_at, payment_fen"
    )
    assert (state, completed_at, payment) == ("completed", at(RECEIVED), 20007)


def test_delivery_info_with_only_ship_done_time_is_shipped(staged: str) -> None:
    state, shipped_at = staged_order(staged, "3705115058471208006", "state, shipped_at")
    assert (state, shipped_at) == ("shipped", at(SHIPPED))


def test_gift_order_paid_before_its_creation_is_kept(staged: str) -> None:
    created, paid, state = staged_order(staged, "3705115058471208007", "created_at, paid_at, state")
    assert paid == at(CREATED - 9) and paid < created and state == "paid"


def test_unpaid_order_without_pay_time_is_created(staged: str) -> None:
    paid, state = staged_order(staged, "3705115058471208008", "paid_at, state")
    assert (paid, state) == (None, "created")


def test_optional_fields_may_be_absent(staged: str) -> None:
    row = staged_order(
        staged, "37051150584712089", "payment_fen, post_fee_fen, modified_at, native_refund_status"
    )
    assert row == (9900, 0, at(CREATED), "NONE")


def test_money_unit_accepts_amounts_that_are_not_exactly_the_other_unit(staged: str) -> None:
    assert staged_order(staged, "3705115058471208020", "payment_fen") == (19006,)
    assert staged_order(staged, "3705115058471208022", "payment_fen") == (19007,)


def test_each_malformed_payload_is_quarantined_with_its_cause(staged: str) -> None:
    with psycopg.connect(staged) as conn:
        reasons = dict(
            conn.execute(
                "select coalesce(native_id, payload_md5), parse_error"
                " from staging.stg_wechat__order_versions where parse_error is not null"
            ).fetchall()
        )
        parsed = conn.execute(
            "select count(*) from staging.stg_wechat__order_versions where parse_error is null"
        ).fetchone()
    by_id = {k: v for k, v in reasons.items() if k in BAD}
    assert by_id == {native_id: reason for native_id, (_, reason) in BAD.items()}
    others = sorted(v for k, v in reasons.items() if k not in BAD)
    assert others == [
        "api error: errcode = 40001 (invalid credential)",
        "missing field: order_id",
    ]
    assert parsed == (len(GOOD),)
    for native_id in BAD:
        with psycopg.connect(staged) as conn:
            hit = conn.execute(
                "select 1 from staging.stg_wechat__orders where native_id = %s", (native_id,)
            ).fetchone()
        assert hit is None, native_id
