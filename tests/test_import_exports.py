"""Seller-centre exports on a real Postgres and the real dbt staging models: the same orders,
imported as export files (CSV UTF-8 with a BOM, CSV GBK, XLSX) and as saved API responses (with
and without their envelopes), stage to the same standardised orders; the rows are kept as read;
a row that cannot be read is kept with its reason; a file lands once."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from domain.sources import SOURCES_BY_NAME, source_named
from ingest import exact_json
from ingest.exports.importer import (
    FileSummary,
    UnsupportedFile,
    import_file,
    land_unjoined_items,
)
from ingest.exports.rows import ItemIndex
from plumbing.database import create_database
from plumbing.dbt_cli import run_dbt
from plumbing.private_postgres import PrivatePostgres
from tests.export_samples import SAMPLES, TAOBAO_ITEMS, TAOBAO_ORDERS, Table, write_csv, write_xlsx

pytestmark = pytest.mark.integration

FORMATS = ("csv-bom", "csv-gbk", "xlsx")
# Columns of a staged version that say where it came from, not what the order is.
LANDING_COLUMNS = ("raw_id", "received_at", "payload_md5")


def write_export(table: Table, path: Path, kind: str) -> Path:
    if kind == "xlsx":
        return write_xlsx(table, path.with_suffix(".xlsx"))
    return write_csv(table, path.with_suffix(".csv"), "utf-8-sig" if kind == "csv-bom" else "gbk")


def saved_responses(platform: str, objects: list[dict], folder: Path) -> list[Path]:
    """The API objects as a dump with their envelope and as one without."""
    dumps = exact_json.dumps
    if platform == "wechat":
        enveloped = folder / "wechat-get.jsonl"
        enveloped.write_text(
            "".join(dumps({"errcode": 0, "errmsg": "ok", "order": o}) + "\n" for o in objects)
        )
        bare = folder / "wechat-bare.json"
        bare.write_text(dumps(objects))
        return [enveloped, bare]
    envelope = {
        "taobao": {"trades_sold_get_response": {"total_results": len(objects),
                                                "trades": {"trade": objects}}},
        "jd": {"jingdong_pop_order_search_responce": {"code": "0", "searchorderinfo_result": {
            "apiResult": {"success": True}, "orderTotal": len(objects),
            "orderInfoList": objects}}},
        "pdd": {"order_list_get_response": {"total_count": len(objects), "order_list": objects}},
    }[platform]  # fmt: skip
    enveloped = folder / f"{platform}-page.json"
    enveloped.write_text(dumps(envelope))
    bare = folder / f"{platform}-bare.jsonl"
    bare.write_text("".join(dumps(o) + "\n" for o in objects))
    return [enveloped, bare]


def import_export(
    conn: psycopg.Connection, platform: str, folder: Path, kind: str
) -> list[FileSummary]:
    orders, items, _ = SAMPLES[platform]
    source = source_named(platform)
    order_file = write_export(orders, folder / f"{platform}-orders-{kind}", kind)
    index = None
    if items is not None:
        index = ItemIndex()
        index.add_file_at(write_export(items, folder / f"{platform}-items-{kind}", kind), source)
    try:
        summaries = [import_file(conn, order_file, source, items=index)]
        if index is not None:
            summaries += land_unjoined_items(conn, index, source)
    finally:
        if index is not None:
            index.close()
    return summaries


@pytest.fixture(scope="module")
def warehouses(
    pg_server: PrivatePostgres, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str, dict[tuple[str, str], list[FileSummary]]]:
    """One warehouse fed the API responses, one fed the export files, both staged by dbt."""
    api_url = create_database(pg_server.url(), "api")
    files_url = create_database(pg_server.url(), "files")
    folder = tmp_path_factory.mktemp("exports")
    with psycopg.connect(api_url) as conn:
        for platform, (_, _, objects) in SAMPLES.items():
            for path in saved_responses(platform, objects, folder):
                import_file(conn, path, source_named(platform))
    summaries = {}
    with psycopg.connect(files_url) as conn:
        for platform in SAMPLES:
            for kind in FORMATS:
                summaries[platform, kind] = import_export(conn, platform, folder, kind)
    for url in (api_url, files_url):
        run_dbt(url, "build", "--select", "path:seeds", "path:models/staging")
    return api_url, files_url, summaries


def staged(url: str, platform: str) -> list[str]:
    """Every staged version of the platform, without the columns that say where it landed."""
    model = SOURCES_BY_NAME[platform].versions_model
    drop = " - ".join(f"'{column}'" for column in LANDING_COLUMNS)
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            f"select (to_jsonb(v) - {drop})::text from staging.{model} v order by native_id"
        ).fetchall()
    return [row[0] for row in rows]


@pytest.mark.parametrize("platform", list(SAMPLES))
def test_exports_stage_to_the_same_orders_as_the_api(warehouses, platform: str) -> None:
    api_url, files_url, summaries = warehouses
    orders = len(SAMPLES[platform][2])
    from_api = staged(api_url, platform)
    from_files = staged(files_url, platform)
    assert len(from_api) == 2 * orders  # the dump with and the one without the envelope
    assert len(from_files) == len(FORMATS) * orders  # every format, every order, none kept aside
    assert sorted(set(from_files)) == sorted(set(from_api))
    assert len(set(from_api)) == orders
    for version in map(exact_json.loads, set(from_api)):
        assert version["parse_error"] is None, version
    for kind in FORMATS:
        summary = summaries[platform, kind][0]
        assert (summary.landed, summary.native_ids, sum(summary.rejected.values())) == (
            orders,
            orders,
            0,
        )
        assert summary.unknown_columns == ()


def test_the_rows_are_kept_as_read_beside_the_api_object(warehouses) -> None:
    _, files_url, summaries = warehouses
    with psycopg.connect(files_url) as conn:
        row = conn.execute(
            "select native_id, payload -> 'orders' -> 'order' -> 0 ->> 'price', "
            "payload -> '_export' -> 'rows' -> 0 -> 'cells', "
            "payload -> '_export' -> 'item_rows' -> 0 -> 'cells' "
            "from raw.taobao_trades where payload ->> 'status' = 'TRADE_CLOSED_BY_TAOBAO' "
            "order by raw_id limit 1"
        ).fetchone()
    native_id, price, cells, item_cells = row
    assert (native_id, price) == ("3822001234567890777", "50.00")
    assert cells["订单编号"] == '="3822001234567890777"'
    assert cells["订单付款时间 "] == "0000-00-00"  # the header as written, trailing space
    assert cells["买家实际支付金额"] == "0元"
    assert item_cells["商家编码"] == "CB-01"
    assert item_cells["#11"] == ""  # the empty cell after the item file's trailing comma
    line = summaries["taobao", "csv-gbk"][0].line()
    assert "taobao-orders v1, 3 rows (+3 item rows); 3 taobao objects landed (3 ids)" in line


def test_a_row_that_cannot_be_read_is_kept_with_its_reason_and_the_rest_lands(
    fresh_db_url: str, tmp_path: Path
) -> None:
    bad = list(TAOBAO_ORDERS.rows)
    bad[1] = tuple("50.0.0" if cell == "0元" else cell for cell in bad[1])
    bad[2] = tuple("已付款，等待成团" if cell == "交易关闭" else cell for cell in bad[2])
    table = Table((*TAOBAO_ORDERS.header, "新增列 "), tuple((*row, "x") for row in bad))
    orders = write_csv(table, tmp_path / "ExportOrderList.csv", "gbk")
    items = write_csv(TAOBAO_ITEMS, tmp_path / "ExportOrderDetailList.csv", "gbk")
    source = source_named("taobao")
    index = ItemIndex()
    index.add_file_at(items, source)
    with psycopg.connect(fresh_db_url) as conn:
        summary = import_file(conn, orders, source, items=index)
        assert land_unjoined_items(conn, index, source)[0].rejected == {}
        kept = conn.execute(
            "select reason, convert_from(payload, 'utf8')::jsonb -> '_export' -> 'rows' -> 0 "
            "-> 'cells' ->> '订单编号', native_id from raw.rejected_payloads order by raw_id"
        ).fetchall()
        landed = conn.execute("select native_id from raw.taobao_trades").fetchall()
    index.close()
    assert summary.rows == 3 and summary.landed == 1
    assert summary.rejected == {"unreadable cell": 1, "unknown status text": 1}
    assert summary.unknown_columns == ("新增列",)
    assert "columns the layout does not know, kept in raw only: 新增列" in summary.line()
    assert kept == [
        (
            "unreadable cell: 买家实际支付金额 = '50.0.0' (not a yuan amount), line 3",
            '="3822001234567890777"',
            "3822001234567890777",
        ),
        (
            "unknown status text: 订单状态 = '已付款，等待成团', line 4",
            '="3822001234567890999"',
            "3822001234567890999",
        ),
    ]
    assert landed == [("3822001234567890123",)]


def test_an_export_lands_once_and_item_rows_without_an_order_are_kept(
    fresh_db_url: str, tmp_path: Path
) -> None:
    source = source_named("taobao")
    only_first = Table(TAOBAO_ORDERS.header, TAOBAO_ORDERS.rows[:1])
    orders = write_csv(only_first, tmp_path / "a.csv", "utf-8-sig")
    copy = tmp_path / "copy of a.csv"
    copy.write_bytes(orders.read_bytes())
    items = write_csv(TAOBAO_ITEMS, tmp_path / "items.csv", "utf-8-sig")
    with psycopg.connect(fresh_db_url) as conn:
        for attempt in range(2):
            index = ItemIndex()
            index.add_file_at(items, source)
            summary = import_file(conn, orders if attempt == 0 else copy, source, items=index)
            unjoined = land_unjoined_items(conn, index, source)[0]
            index.close()
            if attempt == 0:
                assert summary.landed == 1 and unjoined.rejected == {"item without its order": 2}
            else:
                assert summary.already_imported[0] == "a.csv"
                assert unjoined.already_imported[0] == "items.csv"
        assert conn.execute("select count(*) from raw.taobao_trades").fetchone() == (1,)
        reasons = conn.execute("select reason from raw.rejected_payloads").fetchall()
    assert reasons == [
        (
            "item without its order: 订单编号 '3822001234567890777' is in no order export "
            "imported with this item file",
        ),
        (
            "item without its order: 订单编号 '3822001234567890999' is in no order export "
            "imported with this item file",
        ),
    ]


def test_a_file_fitting_no_layout_names_the_missing_columns(
    fresh_db_url: str, tmp_path: Path
) -> None:
    header = tuple(h for h in SAMPLES["pdd"][0].header if h not in ("售后状态", "订单成交时间"))
    export = write_csv(Table(header, ()), tmp_path / "pdd.csv", "utf-8-sig")
    undecodable = tmp_path / "binary.csv"
    undecodable.write_bytes(b"\x80\xff,\xfe\n")
    with psycopg.connect(fresh_db_url) as conn:
        with pytest.raises(
            UnsupportedFile, match="misses the required column.s. 售后状态, 订单成交"
        ):
            import_file(conn, export, source_named("pdd"))
        with pytest.raises(UnsupportedFile, match="neither UTF-8 nor GB18030"):
            import_file(conn, undecodable, source_named("pdd"))
        with pytest.raises(UnsupportedFile, match="item file"):
            import_file(
                conn, write_csv(TAOBAO_ITEMS, tmp_path / "i.csv", "gbk"), source_named("taobao")
            )
        assert conn.execute("select count(*) from raw.imported_files").fetchone() == (0,)
