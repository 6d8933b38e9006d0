"""Importing saved API responses on a real Postgres: objects land as sent, the rest is kept with
the reason, a file lands once whatever its name, and a file lands whole or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from domain.sources import source_named
from ingest.exports.importer import UnsupportedFile, import_file

pytestmark = pytest.mark.integration

PDD = source_named("pdd")


def pdd_order(order_sn: str, amount: str = "4.50") -> str:
    return f'{{"order_sn":"{order_sn}","order_status":1,"pay_amount":{amount},"confirm_time":""}}'


def page(*orders: str) -> str:
    body = ",".join(orders)
    return (
        f'{{"order_sn_increment_get_response":{{"total_count":{len(orders)},'
        f'"order_sn_list":[{body}]}}}}'
    )


def fetch(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_a_jsonl_dump_lands_each_order_exactly_and_keeps_the_rest(
    fresh_db_url: str, tmp_path: Path
) -> None:
    dump = tmp_path / "pdd-dump.jsonl"
    dump.write_text(
        "\n".join(
            [
                page(pdd_order("261203-001"), pdd_order("261203-002", "168")),
                pdd_order("261203-003", "0.10"),
                "",
                '{"order_sn_increment_get_response": {"total_count": 1',
                '{"error_response":{"error_code":10019,"error_msg":"access_token已过期"}}',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    with psycopg.connect(fresh_db_url) as conn:
        summary = import_file(conn, dump, PDD)
    assert (summary.landed, summary.native_ids) == (3, 3)
    assert summary.rejected == {"not JSON": 1, "error response": 1}
    assert summary.by_api == {"pdd.order.number.list.increment.get": 2, "object": 1}
    assert "3 pdd objects landed (3 ids); 2 kept aside" in summary.line()
    rows = fetch(
        fresh_db_url,
        "select native_id, payload -> 'pay_amount' #>> '{}', payload::text from raw.pdd_orders "
        "order by native_id",
    )
    assert [(r[0], r[1]) for r in rows] == [
        ("261203-001", "4.50"),
        ("261203-002", "168"),
        ("261203-003", "0.10"),
    ]
    kept = fetch(fresh_db_url, "select source, reason from raw.rejected_payloads order by raw_id")
    assert kept[0][0] == "pdd" and kept[0][1].startswith("not JSON: line 4:")
    assert kept[1] == ("pdd", "error response: error_code=10019, error_msg=access_token已过期")


def test_the_same_content_under_another_name_lands_once(fresh_db_url: str, tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "copy of a.json"
    first.write_text(page(pdd_order("261203-010"), pdd_order("261203-011")), encoding="utf-8")
    second.write_bytes(first.read_bytes())
    with psycopg.connect(fresh_db_url) as conn:
        assert import_file(conn, first, PDD).landed == 2
        again = import_file(conn, second, PDD)
    assert again.landed == 0 and again.already_imported[0] == "a.json"
    assert "already imported (same content as a.json" in again.line()
    assert fetch(fresh_db_url, "select count(*) from raw.pdd_orders") == [(2,)]


def test_a_bom_and_gbk_text_are_both_read(fresh_db_url: str, tmp_path: Path) -> None:
    order = '{"order_sn":"261203-020","receiver_name":"张三"}'
    bom, gbk = tmp_path / "bom.json", tmp_path / "gbk.json"
    bom.write_bytes(b"\xef\xbb\xbf" + order.encode())
    gbk.write_bytes(order.replace("020", "021").encode("gbk"))
    with psycopg.connect(fresh_db_url) as conn:
        import_file(conn, bom, PDD)
        import_file(conn, gbk, PDD)
    assert fetch(
        fresh_db_url, "select native_id, payload ->> 'receiver_name' from raw.pdd_orders order by 1"
    ) == [("261203-020", "张三"), ("261203-021", "张三")]


def test_a_file_that_fails_midway_lands_nothing_and_can_be_imported_again(
    fresh_db_url: str, tmp_path: Path
) -> None:
    dump = tmp_path / "big.jsonl"
    dump.write_text("\n".join(pdd_order(f"261203-{n:05d}") for n in range(120)) + "\n")
    seen = []

    def stop_after_the_first_chunk(done: int) -> None:
        seen.append(done)
        raise KeyboardInterrupt

    with psycopg.connect(fresh_db_url) as conn:
        with pytest.raises(KeyboardInterrupt):
            import_file(
                conn,
                dump,
                PDD,
                progress=stop_after_the_first_chunk,
                progress_every=50,
                chunk_rows=20,
            )
        assert seen == [50]
        assert conn.execute("select count(*) from raw.pdd_orders").fetchone() == (0,)
        assert import_file(conn, dump, PDD).landed == 120
    assert fetch(fresh_db_url, "select count(distinct native_id) from raw.pdd_orders") == [(120,)]


def test_a_file_of_another_kind_is_refused_with_what_is_supported(
    fresh_db_url: str, tmp_path: Path
) -> None:
    export = tmp_path / "ExportOrderList.xls"
    export.write_bytes(b"\xd0\xcf\x11\xe0")
    with (
        psycopg.connect(fresh_db_url) as conn,
        pytest.raises(UnsupportedFile, match=r"nor a seller-centre export \(\.csv"),
    ):
        import_file(conn, export, PDD)


def test_payload_is_the_object_as_sent(fresh_db_url: str, tmp_path: Path) -> None:
    order = {"order_sn": "261203-030", "item_list": [{"goods_id": "7", "goods_price": 4.5}]}
    saved = tmp_path / "one.json"
    saved.write_text(json.dumps({"order_info_get_response": {"order_info": order}}))
    with psycopg.connect(fresh_db_url) as conn:
        import_file(conn, saved, PDD)
    ((payload,),) = fetch(fresh_db_url, "select payload from raw.pdd_orders")
    assert payload == order


def test_saved_refund_responses_land_in_the_refund_source(
    fresh_db_url: str, tmp_path: Path
) -> None:
    dump = tmp_path / "pdd-refunds.jsonl"
    dump.write_text(
        '{"refund_increment_get_response":{"total_count":2,"refund_list":['
        '{"id":11801,"order_sn":"261203-001","after_sales_type":2,"after_sales_status":10,'
        '"refund_amount":"8.00","updated_time":"2026-12-03 10:00:00"},'
        '{"id":11802,"order_sn":"261203-002","after_sales_type":3,"after_sales_status":3,'
        '"refund_amount":"4.50","updated_time":"2026-12-03 10:00:00"}]}}\n'
        '{"id":11803,"order_sn":"261203-003","after_sales_type":2,"after_sales_status":2,'
        '"refund_amount":"1.00","updated_time":"2026-12-03 10:00:00"}\n'
        '{"order_sn_increment_get_response":{"total_count":0,"order_sn_list":[]}}\n',
        encoding="utf-8",
    )
    with psycopg.connect(fresh_db_url) as conn:
        summary = import_file(conn, dump, source_named("pdd_refunds"))
    assert (summary.landed, summary.native_ids) == (3, 3)
    assert summary.by_api == {"pdd.refund.list.increment.get": 2, "object": 1}
    assert summary.rejected == {"unknown layout": 1}, "an order page is not a refund response"
    rows = fetch(fresh_db_url, "select native_id, payload ->> 'refund_amount' from raw.pdd_refunds")
    assert sorted(rows) == [("11801", "8.00"), ("11802", "4.50"), ("11803", "1.00")]
