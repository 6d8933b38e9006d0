"""Yonyou U8 sales orders in the OpenAPI's real layouts parse to the standard version; what
cannot be understood is quarantined with its real cause.

Hand-written payloads shaped like `saleorder/get` (`{"errcode":"0","saleorder":{…}}`) and the
elements of `saleorderlist/batch_get` (docs/payloads.md, docs/domain.md §2a) are landed through
the real landing code, then the real dbt staging models are built on a real Postgres.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import psycopg
import pytest

from domain.dbt_vars import dbt_vars
from domain.sources import SOURCES_BY_NAME
from ingest.load import Record, land_records
from plumbing.dbt_cli import run_dbt
from plumbing.settings import dbt_var_overrides

pytestmark = pytest.mark.integration


def u8(native_id: str | None, body: dict) -> Record:
    return Record("u8", native_id, json.dumps(body, ensure_ascii=False))


def line(code: str, quantity: str, price: str, total: str | None = None) -> dict:
    body = {"inventorycode": code, "inventoryname": "商品", "quantity": quantity}
    body["taxunitprice"] = price
    if total is not None:
        body["sum"] = total
    return body


# one element of saleorderlist/batch_get: a tmall order of 2 × 99.00 plus 2.07 freight
ORDER = {
    "code": "0000000101",
    "date": "2026-10-01 01:00:00",
    "custcode": "TMALL01",
    "cusname": "天猫旗舰店",
    "state": "审核",
    "sum": "200.07",
    "money": "177.05",
    "define1": "TB",
    "define2": "3822001234567890123",
    "memo": "",
    "entry": [
        line("P1", "2.000000", "99.000000", "198.000000"),
        line("YF01", "1", "2.07", "2.07"),
    ],
}


def order(code: str, **changes: object) -> dict:
    return {**ORDER, "code": code, **changes}


def without(body: dict, *fields: str) -> dict:
    return {k: v for k, v in body.items() if k not in fields}


GOOD = [
    u8("0000000101", ORDER),
    # saleorder/get answers land whole: the sales order is under "saleorder"
    u8(
        "0000000102",
        {"errcode": "0", "errmsg": "", "saleorder": order("0000000102", state="关闭")},
    ),
    # the document date alone, as U8 usually gives it; and midnight, which is the same date
    u8("0000000103", order("0000000103", date="2026-10-01")),
    u8("0000000104", order("0000000104", date="2026-10-01 00:00:00")),
    u8("0000000105", order("0000000105", date="2026-10-01T09:40:10")),
    # money as JSON numbers and with U8's four decimals
    u8("0000000106", order("0000000106", sum=200.07, money=177.05)),
    u8("0000000107", order("0000000107", sum="200.0700")),
    # a list element without its lines: no money-unit check, nothing to hold it against
    u8("0000000108", without(order("0000000108", sum="20007"), "entry")),
    # one line as a bare object; lines without their own sum add up quantity × taxunitprice
    u8("0000000109", order("0000000109", sum="99.00", entry=line("P1", "1", "99.00", "99.00"))),
    u8(
        "0000000110",
        order("0000000110", entry=[line("P1", "2", "99.00"), line("YF01", "1.0000", "2.07")]),
    ),
    # no head sum: the order is worth what its lines add up to
    u8("0000000111", without(order("0000000111"), "sum", "money")),
    # the whole order written in fen (head and lines alike): not a unit mismatch within the
    # payload; the reconciliation holds it against the platform's payment
    u8(
        "0000000112",
        order("0000000112", sum="20007", entry=[line("P1", "1", "20007", "20007")]),
    ),
    # the platform reference left empty, or not filled in at all: kept, with no reference
    u8("0000000113", order("0000000113", define1="", define2="")),
    u8("0000000114", without(order("0000000114"), "define1", "define2")),
    # a code that is a JSON number above 2^53 stays exact
    u8("12345678901234567891", {**ORDER, "code": 12345678901234567891}),
    # the reference as a JSON number (some user-defined fields are number-typed), the platform
    # code typed by a person
    u8("0000000115", order("0000000115", define1=" jd ", define2=301234567890)),
    # state spellings beyond 开立/审核/关闭/作废 (unverified): mapped conservatively
    u8("0000000116", order("0000000116", state="已审核")),
    u8("0000000117", order("0000000117", state="已关闭")),
    u8("0000000118", order("0000000118", state="作废")),
    # U8 writes an empty string for a value it does not have
    u8("0000000119", order("0000000119", sum="", money="", cusname="")),
]

BAD = [
    (
        u8(None, without(ORDER, "code")),
        "missing field: code",
    ),
    (
        # the SO_SOMain database columns are not the OpenAPI's fields
        u8(
            "SO-DB",
            {
                "cSOCode": "SO-DB",
                "dDate": "2026-10-01",
                "cCusCode": "TMALL01",
                "iSum": "200.07",
                "cDefine1": "TB",
                "cDefine2": "3822001234567890123",
            },
        ),
        "missing field: code",
    ),
    (
        u8("0000000201", without(order("0000000201"), "date")),
        "missing field: date",
    ),
    (
        u8("0000000202", order("0000000202", date="2026/10/01")),
        "unparseable time: date = 2026/10/01",
    ),
    (
        u8("0000000203", without(order("0000000203"), "sum", "entry")),
        "missing field: sum",
    ),
    (
        u8("0000000204", order("0000000204", sum="200,07")),
        "unparseable amount: sum = 200,07",
    ),
    (
        u8("0000000205", order("0000000205", sum="200.075")),
        "unparseable amount: sum = 200.075",
    ),
    (
        u8("0000000206", without(order("0000000206"), "state")),
        "missing field: state",
    ),
    (
        u8("0000000213", order("0000000213", state="")),
        "missing field: state",
    ),
    (
        u8("0000000214", order("0000000214", date=" ")),
        "missing field: date",
    ),
    (
        u8("0000000207", order("0000000207", state="变更中")),
        "unknown native status: 变更中",
    ),
    (
        u8("0000000208", {**ORDER, "code": {"value": "0000000208"}}),
        "changed type: code is a object",
    ),
    (
        u8("0000000209", order("0000000209", entry="P1×2")),
        "changed type: entry is a string",
    ),
    (
        # the head in fen, the lines in yuan: 100× what the lines add up to
        u8("0000000210", order("0000000210", sum="20007")),
        "money unit: sum = 20007 is 100× or 1/100 of what the lines add up to (20007 fen)",
    ),
    (
        # the head in yuan, the lines in fen: 1/100 of what the lines add up to
        u8(
            "0000000211",
            order("0000000211", entry=[line("P1", "2", "9900", "19800"), line("YF", "1", "207")]),
        ),
        "money unit: sum = 200.07 is 100× or 1/100 of what the lines add up to (2000700 fen)",
    ),
    (
        u8(None, {"errcode": "20004", "errmsg": "token 无效"}),
        "api error: errcode = 20004 (token 无效)",
    ),
    (
        u8(
            None,
            {"errcode": "0", "page_count": 1, "saleorderlist": [order("0000000212"), ORDER]},
        ),
        "changed type: a saleorderlist page of 2 sales orders, not one sales order",
    ),
]


@pytest.fixture(scope="module")
def staged(module_db_url: str) -> str:
    with psycopg.connect(module_db_url) as conn:
        land_records(conn, [*GOOD, *(payload for payload, _ in BAD)], label="u8-contract")
    run_dbt(module_db_url, "build", "--select", "path:seeds path:models/staging/u8")
    return module_db_url


def rows(url: str, sql: str, params: tuple | dict = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def staged_order(url: str, code: str) -> dict:
    with psycopg.connect(url) as conn:
        cursor = conn.execute(
            "select * from staging.stg_u8__sales_orders where native_id = %s", (code,)
        )
        names = [column.name for column in cursor.description or ()]
        found = cursor.fetchall()
    assert len(found) == 1, (code, found)
    return dict(zip(names, found[0], strict=True))


def reasons(url: str) -> dict[str | None, str]:
    return dict(
        rows(
            url,
            "select native_id, parse_error from staging.stg_u8__sales_order_versions "
            "where parse_error is not null",
        )
    )


def test_the_registry_names_the_openapi_code_field() -> None:
    assert SOURCES_BY_NAME["u8"].native_id_field == "code"
    assert SOURCES_BY_NAME["u8"].money_unit == "yuan"


def test_a_batch_get_element_parses_to_the_standard_version(staged: str) -> None:
    got = staged_order(staged, "0000000101")
    assert got["native_id"] == "0000000101"  # leading zeros kept
    assert (got["platform"], got["native_order_id"]) == ("TB", "3822001234567890123")
    assert (got["customer_code"], got["customer_name"]) == ("TMALL01", "天猫旗舰店")
    assert (got["native_status"], got["erp_state"], got["erp_is_cancelled"]) == (
        "审核",
        "paid",
        False,
    )
    # 01:00 China time on 1 October is 17:00 UTC on 30 September
    assert got["created_at"] == datetime(2026, 9, 30, 17, 0, tzinfo=UTC)
    assert got["modified_at"] == got["created_at"]
    assert got["time_precision"] == "second"
    # sum is the tax-included total; money (tax excluded) is not the payment
    assert (got["amount_fen"], got["lines_fen"]) == (20007, 20007)


def test_a_saleorder_get_answer_is_read_inside_its_envelope(staged: str) -> None:
    got = staged_order(staged, "0000000102")
    assert (got["amount_fen"], got["erp_state"], got["erp_is_cancelled"]) == (
        20007,
        "completed",
        False,
    )
    assert got["native_order_id"] == "3822001234567890123"


def test_a_date_without_time_is_day_precision(staged: str) -> None:
    for code in ("0000000103", "0000000104"):
        got = staged_order(staged, code)
        assert got["time_precision"] == "day", code
        assert got["created_at"] == datetime(2026, 9, 30, 16, 0, tzinfo=UTC), code
    iso = staged_order(staged, "0000000105")
    assert iso["created_at"] == datetime(2026, 10, 1, 1, 40, 10, tzinfo=UTC)
    assert iso["time_precision"] == "second"


def test_numbers_and_four_decimals_are_whole_fen(staged: str) -> None:
    assert staged_order(staged, "0000000106")["amount_fen"] == 20007
    assert staged_order(staged, "0000000107")["amount_fen"] == 20007


def test_without_lines_the_money_unit_is_not_judged(staged: str) -> None:
    got = staged_order(staged, "0000000108")
    assert (got["amount_fen"], got["lines_fen"]) == (2000700, None)


def test_lines_as_one_object_or_without_their_own_sum(staged: str) -> None:
    single = staged_order(staged, "0000000109")
    assert (single["amount_fen"], single["lines_fen"]) == (9900, 9900)
    priced = staged_order(staged, "0000000110")
    assert (priced["amount_fen"], priced["lines_fen"]) == (20007, 20007)


def test_without_a_head_sum_the_lines_give_the_amount(staged: str) -> None:
    for code in ("0000000111", "0000000119"):
        got = staged_order(staged, code)
        assert (got["amount_fen"], got["lines_fen"]) == (20007, 20007), code
    assert staged_order(staged, "0000000119")["customer_name"] is None


def test_an_order_written_wholly_in_fen_is_left_to_the_reconciliation(staged: str) -> None:
    got = staged_order(staged, "0000000112")
    assert (got["amount_fen"], got["lines_fen"]) == (2000700, 2000700)


def test_an_empty_platform_reference_is_kept_without_one(staged: str) -> None:
    for code in ("0000000113", "0000000114"):
        got = staged_order(staged, code)
        assert (got["platform"], got["native_order_id"]) == (None, None), code
        assert got["amount_fen"] == 20007


def test_ids_and_references_stay_exact(staged: str) -> None:
    assert staged_order(staged, "12345678901234567891")["amount_fen"] == 20007
    padded = staged_order(staged, "0000000115")
    assert (padded["platform"], padded["native_order_id"]) == ("JD", "301234567890")


def test_unverified_state_spellings_are_mapped_conservatively(staged: str) -> None:
    approved = staged_order(staged, "0000000116")
    assert (approved["erp_state"], approved["erp_is_cancelled"]) == ("paid", False)
    closed = staged_order(staged, "0000000117")
    assert (closed["erp_state"], closed["erp_is_cancelled"]) == ("paid", False)
    void = staged_order(staged, "0000000118")
    assert void["erp_is_cancelled"] is True


def test_each_bad_payload_is_quarantined_with_its_cause(staged: str) -> None:
    found = sorted(
        r[0]
        for r in rows(
            staged,
            "select parse_error from staging.stg_u8__sales_order_versions "
            "where parse_error is not null",
        )
    )
    assert found == sorted(reason for _, reason in BAD)
    by_code = reasons(staged)
    assert by_code["0000000210"].startswith("money unit: ")
    staged_codes = {
        r[0] for r in rows(staged, "select native_id from staging.stg_u8__sales_orders")
    }
    assert staged_codes == {p.native_id for p in GOOD}


def test_the_reference_field_is_configured_per_deployment(
    staged: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    memo = order("0000000301", memo="3822001234567890999", define2="")
    with psycopg.connect(staged) as conn:
        land_records(conn, [u8("0000000301", memo)], label="u8-memo")
    monkeypatch.setenv("ORDERSIGHT_U8_ORDER_REF_FIELD", "memo")
    assert dbt_var_overrides() == {"u8_order_ref_field": "memo"}
    try:
        run_dbt(staged, "build", "--select", "path:models/staging/u8", "--full-refresh")
        assert staged_order(staged, "0000000301")["native_order_id"] == "3822001234567890999"
        assert staged_order(staged, "0000000101")["native_order_id"] is None
    finally:
        monkeypatch.delenv("ORDERSIGHT_U8_ORDER_REF_FIELD")
        run_dbt(staged, "build", "--select", "path:models/staging/u8", "--full-refresh")
    assert staged_order(staged, "0000000301")["native_order_id"] is None
    assert staged_order(staged, "0000000101")["native_order_id"] == "3822001234567890123"


def test_a_configured_field_must_be_a_field_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERSIGHT_U8_PLATFORM_FIELD", "define1'; drop table x; --")
    with pytest.raises(ValueError, match="not a payload field name"):
        dbt_var_overrides()
    monkeypatch.setenv("ORDERSIGHT_U8_PLATFORM_FIELD", "define3")
    assert dbt_var_overrides() == {"u8_platform_field": "define3"}
    assert dbt_vars()["u8_platform_field"] == "define1"  # the registry's default is unchanged
