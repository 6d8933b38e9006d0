"""New fields in landed payloads: kept in raw, reported once per source, inside envelopes too."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import psycopg
import pytest

from domain.sources import SOURCES, source_called
from ingest.exports.layouts import layouts
from ingest.load import land_records
from ingest.payload_fields import scan_new_fields
from ingest.platforms.fields import KNOWN_FIELDS
from ingest.simulate import MerchantSimulator, SimulationConfig
from ingest.simulate.model import RawRecord

NOW = datetime(2026, 10, 3, 12, tzinfo=UTC)


def record(source: str, native_id: str, payload: dict) -> RawRecord:
    return RawRecord(source, native_id, json.dumps(payload, ensure_ascii=False), NOW)


def taobao_listing(tid: int, **extra: object) -> dict:
    trade = {"tid": tid, "status": "WAIT_SELLER_SEND_GOODS", "payment": "9.90", **extra}
    return {"trades_sold_increment_get_response": {"trades": {"trade": [trade]}}}


@pytest.mark.unit
def test_every_source_has_a_known_field_list() -> None:
    assert {source.name for source in SOURCES} == set(KNOWN_FIELDS)


@pytest.mark.unit
def test_every_field_an_export_layout_writes_is_a_known_field_of_its_platform() -> None:
    for layout in layouts():
        known = KNOWN_FIELDS[source_called(layout.platform).name]
        written = {
            target.keys[0]
            for column in layout.columns
            for target in column.targets
            if not target.on_item and layout.kind == "orders"
        }
        if layout.items_at:
            written.add(layout.items_at.split(".")[0])
        assert written, layout.name
        assert written <= known, (layout.name, sorted(written - known))


def test_the_simulated_merchant_sends_no_field_outside_the_known_lists(fresh_db_url: str) -> None:
    simulator = MerchantSimulator(SimulationConfig(orders_per_day=150, days=2))
    with psycopg.connect(fresh_db_url) as conn:
        for chunk in simulator.chunks():
            land_records(conn, chunk.records, label="sim")
        scan = scan_new_fields(conn)
    assert [(new.source, new.field) for new in scan.new_fields] == []
    assert scan.scanned["taobao"] > 0 and scan.scanned["u8"] > 0 and scan.scanned["pdd_refunds"] > 0


def test_a_new_field_is_reported_once_with_its_first_payload_then_only_counted(
    fresh_db_url: str,
) -> None:
    with psycopg.connect(fresh_db_url) as conn:
        land_records(
            conn, [record("ledger", "LE1", {"entry_id": "LE1", "amount": "1.00"})], label="a"
        )
        assert scan_new_fields(conn).new_fields == ()

        land_records(
            conn,
            [
                record("taobao", "1", taobao_listing(3822001234567890123, presale_flag="Y")),
                record("pdd", "260607-1", {"order_sn": "260607-1", "risk_level": 2}),
                record("pdd", "260607-2", {"order_sn": "260607-2", "risk_level": 3}),
                record("wechat", "9", {"errcode": 0, "order": {"order_id": "9", "live_id": 1}}),
            ],
            label="b",
        )
        first_ids = dict(
            conn.execute(
                "select native_id, min(raw_id) from raw.pdd_orders group by native_id"
            ).fetchall()
        )
        scan = scan_new_fields(conn)
        assert scan.new_by_source() == {
            "pdd": ["risk_level"],
            "taobao": ["presale_flag"],
            "wechat": ["live_id"],
        }
        pdd = next(new for new in scan.new_fields if new.source == "pdd")
        assert (pdd.first_raw_id, pdd.payloads) == (first_ids["260607-1"], 2)
        assert {name: n for name, n in scan.scanned.items() if n} == {
            "taobao": 1,
            "pdd": 2,
            "wechat": 1,
        }

        land_records(
            conn, [record("pdd", "260607-3", {"order_sn": "260607-3", "risk_level": 1})], label="c"
        )
        again = scan_new_fields(conn)
        assert again.new_fields == ()
        assert again.scanned["pdd"] == 1
        counted = conn.execute(
            "select source, field, payloads from raw.payload_fields order by source"
        ).fetchall()
        stored = conn.execute("select payload from raw.pdd_orders order by raw_id").fetchall()
    assert counted == [
        ("pdd", "risk_level", 3),
        ("taobao", "presale_flag", 1),
        ("wechat", "live_id", 1),
    ]
    assert [row[0]["risk_level"] for row in stored] == [2, 3, 1]  # kept in raw as received
