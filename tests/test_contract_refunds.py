"""Refunds in the shapes the platforms' refund APIs return them, staged and summed per order.

Hand-written refund objects in the real layouts — Taobao `taobao.refunds.receive.get`
(`refunds.refund[]`: `refund_id` / `tid` / `oid` above 2^53, `refund_fee` a yuan string), JD
`jingdong.pop.afs.soa.refundapply.queryPageList` (`applyRefundSum` a JSON number, `status` a
number), Pinduoduo `pdd.refund.list.increment.get` (`after_sales_type`, `after_sales_status`,
`refund_amount` a string) and WeChat `channels/ec/aftersale/getaftersaleorder`
(`refund_info.amount` in fen) — are landed through the real landing code, version by version,
and staged by the real dbt models on a real Postgres: a partial refund of one sub-order, two
refunds on one order, refund only (仅退款), a refused or closed refund that counts for nothing,
and the payloads that must be quarantined with their reason.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import psycopg
import pytest

from ingest import exact_json
from ingest.load import Record, land_records
from plumbing.dbt_cli import run_dbt

pytestmark = pytest.mark.integration

TID = 3_800_000_000_000_000_001  # above 2^53: a float would make it ...000
TID_TWO = 3_800_000_000_000_000_002
OID = 4_000_000_000_000_000_005
OID_OTHER = 4_000_000_000_000_000_006
REFUND_ID = 5_000_000_000_000_000_001


def taobao(
    refund_id: int, tid: int, oid: int, fee: str, status: str, at: str, **extra: Any
) -> dict:
    return {
        "refund_id": refund_id,
        "tid": tid,
        "oid": oid,
        "title": "保温杯",
        "total_fee": "100.00",
        "payment": "160.00",
        "refund_fee": fee,
        "has_good_return": False,
        "created": "2026-10-02 09:00:00",
        "modified": at,
        "status": status,
        **extra,
    }


def jd(refund_id: int, order_id: str, amount: str, status: int, checked: str = "") -> dict:
    return {
        "id": refund_id,
        "orderId": order_id,
        "buyerId": "jd_0001",
        "buyerName": "王**",
        "applyTime": "2026-10-02 09:00:00",
        "checkTime": checked,
        "applyRefundSum": Decimal(amount),
        "status": status,
    }


def pdd(refund_id: int, order_sn: str, kind: int, status: int, amount: str, at: str) -> dict:
    return {
        "id": refund_id,
        "order_sn": order_sn,
        "after_sales_type": kind,
        "after_sales_status": status,
        "goods_id": 9006178211,
        "sku_id": 90061782111,
        "order_amount": "20.00",
        "refund_amount": amount,
        "created_time": "2026-10-02 09:00:00",
        "updated_time": at,
    }


def wechat(after_sale_id: str, order_id: str, status: str, amount: Any, at: int) -> dict:
    return {
        "after_sale_order_id": after_sale_id,
        "order_id": order_id,
        "product_info": {"product_id": "10000123", "sku_id": "100001231", "count": 1},
        "refund_info": {"amount": amount},
        "type": "REFUND",
        "create_time": 1_790_000_000,
        "update_time": at,
        "status": status,
    }


ID_FIELDS = {
    "taobao_refunds": "refund_id",
    "jd_refunds": "id",
    "pdd_refunds": "id",
    "wechat_refunds": "after_sale_order_id",
}
LATER = "2026-10-02 11:00:00"

# (source, payload), versions in the order they are landed
GOOD: list[tuple[str, dict]] = [
    # one sub-order refunded in part (30 of 100), the other sub-order's refund refused
    (
        "taobao_refunds",
        taobao(REFUND_ID, TID, OID, "30.00", "WAIT_SELLER_AGREE", "2026-10-02 09:00:00"),
    ),
    ("taobao_refunds", taobao(REFUND_ID, TID, OID, "30.00", "SUCCESS", LATER)),
    ("taobao_refunds", taobao(REFUND_ID + 1, TID, OID_OTHER, "100.00", "WAIT_SELLER_AGREE", LATER)),
    (
        "taobao_refunds",
        taobao(
            REFUND_ID + 1, TID, OID_OTHER, "100.00", "SELLER_REFUSE_BUYER", "2026-10-02 12:00:00"
        ),
    ),
    # two successful refunds on one order, one still open on it
    ("taobao_refunds", taobao(REFUND_ID + 2, TID_TWO, OID, "50.00", "SUCCESS", LATER)),
    ("taobao_refunds", taobao(REFUND_ID + 3, TID_TWO, OID_OTHER, "20.07", "SUCCESS", LATER)),
    (
        "taobao_refunds",
        taobao(REFUND_ID + 4, TID_TWO, OID_OTHER, "5.00", "WAIT_SELLER_AGREE", LATER),
    ),
    # JD: audited and refunded; another apply refused
    ("jd_refunds", jd(1_234_567, "301234567001", "25.5", 0)),
    ("jd_refunds", jd(1_234_567, "301234567001", "25.5", 3, LATER)),
    ("jd_refunds", jd(1_234_568, "301234567002", "9.90", 2, LATER)),
    # Pinduoduo: refund only; return and refund beside a cancelled one; refund only still open
    ("pdd_refunds", pdd(11_801, "261002-100000000000001", 2, 2, "8.00", "2026-10-02 09:00:00")),
    ("pdd_refunds", pdd(11_801, "261002-100000000000001", 2, 10, "8.00", LATER)),
    ("pdd_refunds", pdd(11_802, "261002-100000000000002", 3, 10, "12.00", LATER)),
    ("pdd_refunds", pdd(11_803, "261002-100000000000002", 3, 11, "8.00", LATER)),
    ("pdd_refunds", pdd(11_804, "261002-100000000000003", 2, 4, "5.50", LATER)),
    ("pdd_refunds", pdd(11_805, "261002-100000000000004", 4, 10, "0.00", LATER)),  # exchange
    # WeChat: processing, then refunded; another after-sale cancelled by the buyer
    (
        "wechat_refunds",
        wechat(
            "371900000000000000101",
            "3719000000000000001",
            "MERCHANT_PROCESSING",
            800,
            1_790_000_000,
        ),
    ),
    (
        "wechat_refunds",
        wechat(
            "371900000000000000101",
            "3719000000000000001",
            "MERCHANT_REFUND_SUCCESS",
            800,
            1_790_003_600,
        ),
    ),
    (
        "wechat_refunds",
        wechat("371900000000000000102", "3719000000000000001", "USER_CANCELD", 300, 1_790_003_600),
    ),
]

BAD: list[tuple[str, dict, str]] = [
    (
        "taobao_refunds",
        taobao(REFUND_ID + 10, TID, OID, "8.00", "REFUND_MAGIC", LATER),
        "unknown native refund status: REFUND_MAGIC",
    ),
    (
        "taobao_refunds",
        taobao(REFUND_ID + 11, TID, OID, Decimal("8.00"), "SUCCESS", LATER),
        "changed type: refund_fee is a number, expected string",
    ),
    (
        "taobao_refunds",
        taobao(REFUND_ID + 12, TID, OID, "8,00元", "SUCCESS", LATER),
        "unparseable amount: refund_fee = 8,00元",
    ),
    (
        "taobao_refunds",
        taobao(REFUND_ID + 13, TID, OID, "16000.00", "SUCCESS", LATER),
        "money unit: refund_fee = 16000.00 is 100× payment = 160.00",
    ),
    (
        "taobao_refunds",
        {
            k: v
            for k, v in taobao(REFUND_ID + 14, TID, OID, "8.00", "SUCCESS", LATER).items()
            if k != "tid"
        },
        "missing field: tid",
    ),
    (
        "taobao_refunds",
        taobao("R-15", TID, OID, "8.00", "SUCCESS", LATER),
        "unparseable id: refund_id = R-15",
    ),
    (
        "jd_refunds",
        jd(1_234_569, "301234567003", "9.90", 99, LATER),
        "unknown native refund status: 99",
    ),
    (
        "jd_refunds",
        {**jd(1_234_570, "301234567003", "9.90", 3, LATER), "applyRefundSum": {"amount": "9.90"}},
        "changed type: applyRefundSum is a object, expected number or string",
    ),
    (
        "pdd_refunds",
        pdd(11_810, "261002-100000000000009", 3, 99, "8.00", LATER),
        "unknown native refund status: 99",
    ),
    (
        "pdd_refunds",
        {**pdd(11_811, "261002-100000000000009", 3, 10, "8.00", LATER), "after_sales_status": "10"},
        "changed type: after_sales_status is a string, expected number",
    ),
    (
        "pdd_refunds",
        pdd(11_812, "261002-100000000000009", 7, 10, "8.00", LATER),
        "unknown refund type: after_sales_type = 7",
    ),
    (
        "pdd_refunds",
        pdd(11_813, "261002-100000000000009", 3, 10, "8,00", LATER),
        "unparseable amount: refund_amount = 8,00",
    ),
    (
        "wechat_refunds",
        wechat(
            "371900000000000000901",
            "3719000000000000009",
            "MERCHANT_REFUND_SUCCESS",
            "8.00",
            1_790_003_600,
        ),
        "changed type: refund_info.amount is a string, expected number",
    ),
    (
        "wechat_refunds",
        wechat("371900000000000000902", "3719000000000000009", "REFUND_MAGIC", 800, 1_790_003_600),
        "unknown native refund status: REFUND_MAGIC",
    ),
]


def record(source: str, body: dict) -> Record:
    native = body.get(ID_FIELDS[source])
    return Record(source, None if native is None else str(native), exact_json.dumps(body))


def fetch(url: str, sql: str, *params: object) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def staged(module_db_url: str) -> str:
    with psycopg.connect(module_db_url) as conn:
        for source, body in GOOD:  # one landing per version: raw_id order is arrival order
            land_records(conn, [record(source, body)], label="contract-refunds")
        land_records(conn, [record(s, b) for s, b, _ in BAD], label="contract-refunds-bad")
    run_dbt(
        module_db_url,
        "build",
        "--select",
        "path:seeds path:models/staging/refunds int_refunds__by_order",
    )
    return module_db_url


def by_order(url: str) -> dict[tuple[str, str], tuple]:
    return {
        (platform, order): tuple(rest)
        for platform, order, *rest in fetch(
            url,
            "select platform, native_order_id, refund_count, successful_refund_count,"
            " refunded_fen, has_refund_only, has_pending_refund"
            " from intermediate.int_refunds__by_order",
        )
    }


def test_every_real_shape_parses(staged: str) -> None:
    quarantined = fetch(
        staged,
        " union all ".join(
            f"select native_id, parse_error from staging.stg_{m}__refund_versions"
            " where parse_error is not null"
            for m in ("taobao", "jd", "pdd", "wechat")
        ),
    )
    expected_bad = {str(b[ID_FIELDS[s]]) if ID_FIELDS[s] in b else None for s, b, _ in BAD}
    assert {native for native, _ in quarantined} == expected_bad


def test_ids_above_two_to_the_53_stay_exact(staged: str) -> None:
    rows = fetch(
        staged,
        "select native_id, native_order_id, native_line_id from staging.stg_taobao__refunds"
        " where native_id = %s",
        str(REFUND_ID),
    )
    assert rows == [(str(REFUND_ID), str(TID), str(OID))]


def test_partial_refund_of_one_sub_order_and_a_refused_one(staged: str) -> None:
    rows = fetch(
        staged,
        "select native_id, native_refund_status, refund_phase, refund_fen"
        " from staging.stg_taobao__refunds where native_order_id = %s order by native_id",
        str(TID),
    )
    assert rows == [
        (str(REFUND_ID), "SUCCESS", "refunded", 3000),
        (str(REFUND_ID + 1), "SELLER_REFUSE_BUYER", "none", 10000),
    ]
    assert by_order(staged)[("TB", str(TID))] == (2, 1, 3000, False, False)


def test_several_refunds_on_one_order_add_up(staged: str) -> None:
    assert by_order(staged)[("TB", str(TID_TWO))] == (3, 2, 7007, False, True)


def test_jd_refund_applies(staged: str) -> None:
    orders = by_order(staged)
    assert orders[("JD", "301234567001")] == (1, 1, 2550, False, False)
    assert orders[("JD", "301234567002")] == (1, 0, 0, False, False)
    (modified,) = fetch(
        staged,
        "select modified_at = timestamptz '2026-10-02 03:00:00+00' from staging.stg_jd__refunds"
        " where native_id = '1234567'",
    )[0]
    assert modified, "checkTime, China time"


def test_pinduoduo_refund_only_is_told_apart(staged: str) -> None:
    orders = by_order(staged)
    assert orders[("PDD", "261002-100000000000001")] == (1, 1, 800, True, False)
    assert orders[("PDD", "261002-100000000000002")] == (2, 1, 1200, False, False)
    assert orders[("PDD", "261002-100000000000003")] == (1, 0, 0, False, True)
    assert orders[("PDD", "261002-100000000000004")] == (1, 0, 0, False, False)


def test_wechat_after_sale_orders_in_fen(staged: str) -> None:
    assert by_order(staged)[("WX", "3719000000000000001")] == (2, 1, 800, False, False)


@pytest.mark.parametrize(("source", "body", "reason"), BAD, ids=[r for _, _, r in BAD])
def test_bad_refunds_are_quarantined_with_their_reason(
    staged: str, source: str, body: dict, reason: str
) -> None:
    model = f"stg_{source.removesuffix('_refunds')}__refund_versions"
    native = body.get(ID_FIELDS[source])
    (found,) = fetch(
        staged,
        f"select parse_error from staging.{model} where native_id is not distinct from %s",
        None if native is None else str(native),
    )[0]
    assert found == reason
