"""The pure parts of reading seller-centre exports: unwrapping a cell, reading it as the API's
type (Decimal, never a float), recognising a layout from its headers, and rows becoming API
objects (JD items of one order together, Taobao's closing text by payment)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from domain.sources import source_named
from ingest import exact_json
from ingest.exports.cells import ABSENT, Unreadable, convert, unwrap
from ingest.exports.layouts import NoLayout, layouts, match_layout, parse_layout
from ingest.exports.rows import export_objects, open_export
from ingest.platforms.envelopes import Refused, Unwrapped
from tests.export_samples import JD_ORDERS, TAOBAO_ORDERS, Table, write_csv, write_xlsx


@pytest.mark.parametrize(
    ("cell", "unwrapped"),
    [
        ('="35153131473293579"', "35153131473293579"),
        ("'13900000000", "13900000000"),
        ("168.99\t", "168.99"),
        ("\t100012345678", "100012345678"),
        (' ="301234567890"\t', "301234567890"),
        ("交易关闭 ", "交易关闭"),
        (7, 7),
    ],
)
def test_unwrap_removes_the_spreadsheet_wrapping(cell: object, unwrapped: object) -> None:
    assert unwrap(cell) == unwrapped


@pytest.mark.parametrize(
    ("cell", "kind", "value"),
    [
        ("0元", "yuan_text", "0"),
        ("200.07", "yuan_text", "200.07"),
        ("168.99\t", "yuan_number", Decimal("168.99")),
        (99.1, "yuan_number", Decimal("99.1")),  # an XLSX number cell, read exactly
        ("1,234.50", "yuan_text", "1234.50"),
        ("200.07", "fen", 20007),
        ("¥2.07", "fen", 207),
        ('="3822001234567890123"', "integer", 3822001234567890123),
        ("301234567890", "digits", "301234567890"),
        (301234567890, "digits", "301234567890"),
        ("2026/6/6 13:41", "time", "2026-06-06 13:41"),
        ("2026/6/6 13:41:07", "time", "2026-06-06 13:41:07"),
        ("2026-10-01 09:12:44", "epoch_seconds", 1790817164),
        ("0000-00-00", "time", ABSENT),
        ("", "fen", ABSENT),
        ("\t", "text", ABSENT),
    ],
)
def test_convert_reads_the_api_type(cell: object, kind: str, value: object) -> None:
    converted = convert(cell, kind)
    assert converted == value if value is not ABSENT else converted is ABSENT
    assert not isinstance(converted, float)


@pytest.mark.parametrize(
    ("cell", "kind", "why"),
    [
        ("12.3.4", "yuan_text", "not a yuan amount"),
        ("1.005", "fen", "not whole fen"),
        ("2026-13-01 00:00:00", "time", "not a time"),
        ("昨天", "time", "not a time"),
        ("12a", "digits", "not an id of digits"),
        (3.5e17, "digits", "not a whole number below 2"),  # a long id mangled by a spreadsheet
        ("2.5", "integer", "not a whole number"),
    ],
)
def test_a_cell_that_is_not_of_its_type_is_unreadable(cell: object, kind: str, why: str) -> None:
    with pytest.raises(Unreadable, match=why):
        convert(cell, kind)


def test_a_layout_is_found_by_trimmed_headers_never_by_position() -> None:
    shuffled = list(reversed(TAOBAO_ORDERS.header))
    assert match_layout("taobao", shuffled).label == "taobao-orders v1"
    assert (
        match_layout("taobao", ["订单编号 ", "\ufeff标题", "价格", "购买数量", ""]).kind == "items"
    )


def test_no_layout_names_the_missing_required_columns() -> None:
    with pytest.raises(
        NoLayout, match=r"closest jd-orders v1 misses the required column\(s\) 京东价"
    ):
        match_layout("jd", [h for h in JD_ORDERS.header if h != "京东价"])
    with pytest.raises(NoLayout, match="no seller-centre export layout is configured for u8"):
        match_layout("u8", ["code"])


def test_a_layout_with_an_unknown_type_is_refused() -> None:
    text = 'name="x"\nversion=1\nplatform="pdd"\norder_column="a"\n[columns.a]\nto={a="float"}\n'
    with pytest.raises(ValueError, match="unknown type 'float'"):
        parse_layout(text, "x.toml")


def objects(path: Path, platform: str) -> list[Unwrapped | Refused]:
    source = source_named(platform)
    return list(export_objects(open_export(path, source), source))


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_consecutive_jd_rows_of_one_order_are_one_object(tmp_path: Path, kind: str) -> None:
    path = (
        write_xlsx(JD_ORDERS, tmp_path / "jd.xlsx")
        if kind == "xlsx"
        else write_csv(JD_ORDERS, tmp_path / "jd.csv", "utf-8-sig")
    )
    found = objects(path, "jd")
    assert [item.native_id for item in found] == ["301234567890", "301234567891", "301234567892"]
    first = exact_json.loads(found[0].payload)
    assert [line["skuId"] for line in first["itemInfoList"]] == ["100012345678", "100012345679"]
    assert first["orderState"] == "WAIT_SELLER_DELIVERY"
    assert [row["line"] for row in first["_export"]["rows"]] == [2, 3]
    unpaid = exact_json.loads(found[2].payload)
    assert unpaid["paymentConfirmTime"] == "0001-01-01 00:00:00"  # what JOS sends while unpaid


def test_taobao_closing_text_reads_by_whether_the_trade_was_paid(tmp_path: Path) -> None:
    found = objects(write_csv(TAOBAO_ORDERS, tmp_path / "o.csv", "gbk"), "taobao")
    statuses = [exact_json.loads(item.payload)["status"] for item in found]
    assert statuses == ["WAIT_BUYER_CONFIRM_GOODS", "TRADE_CLOSED_BY_TAOBAO", "TRADE_CLOSED"]
    trade = exact_json.loads(found[0].payload)
    assert (trade["tid"], trade["tid_str"]) == (3822001234567890123, "3822001234567890123")
    assert trade["receiver_mobile"] == "13892890000"
    assert "pay_time" not in exact_json.loads(found[1].payload)  # 0000-00-00: not paid


def test_a_required_value_missing_keeps_the_row_with_the_reason(tmp_path: Path) -> None:
    rows = [tuple("" if cell == "2026-10-02 10:00:00" else cell for cell in TAOBAO_ORDERS.rows[1])]
    found = objects(
        write_csv(Table(TAOBAO_ORDERS.header, tuple(rows)), tmp_path / "o.csv", "gbk"), "taobao"
    )
    (refused,) = found
    assert isinstance(refused, Refused)
    assert refused.reason == "missing value: 订单创建时间, line 2"
    assert exact_json.loads(refused.payload)["_export"]["rows"][0]["cells"]["买家会员名"] == "b**2"


def test_every_layout_column_is_documented() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "imports.md").read_text(encoding="utf-8")
    for layout in layouts():
        assert f"**`{layout.name}` v{layout.version}**" in doc
        for column in layout.columns:
            assert f"`{column.header}`" in doc, f"{layout.label}: {column.header}"
            for text in column.values:
                assert text in doc, f"{layout.label}: {column.header} = {text}"


def test_on_a_tie_the_order_layout_is_named() -> None:
    with pytest.raises(NoLayout, match="closest taobao-orders v1 misses"):
        match_layout("taobao", ["订单编号"])
