"""Polling a small carrier's query API, manual entries and platform shipping records."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import psycopg
import pytest

from ingest.couriers import manual
from ingest.couriers.polling import QueryApi, poll
from ingest.couriers.shipments import land_shipments, waybills_to_poll
from ingest.couriers.store import ensure_tracking_schema
from tests.fakes.courier_query_api import CourierQueryApi

APP_KEY, SECRET = "zjs-app", "zjs-secret"


@pytest.fixture
def conn(fresh_db_url: str) -> psycopg.Connection:
    with psycopg.connect(fresh_db_url, autocommit=True) as connection:
        ensure_tracking_schema(connection)
        yield connection


def shipped(number: str, carrier: str = "ZJS") -> tuple[str, str]:
    return "TB", json.dumps(
        {"tid": 3822000000000000000 + int(number[1:]), "out_sid": number, "company_code": carrier}
    )


def test_polling_asks_in_batches_waits_out_rate_limits_and_stores_each_answer(
    conn: psycopg.Connection,
) -> None:
    numbers = [f"Z{index:09d}" for index in range(23)]
    assert land_shipments(conn, [shipped(n) for n in numbers] + [shipped("Z999999999", "SF")]) == 24
    traces = {
        n: [
            {
                "scanType": "收件",
                "scanDate": "2026-12-01 09:00:00",
                "desc": "已收件",
                "scanSite": "北京",
            },
            {
                "scanType": "签收",
                "scanDate": "2026-12-02 10:00:00",
                "desc": "本人签收",
                "scanSite": "天津",
            },
        ]
        for n in numbers[:5]
    }
    with (
        CourierQueryApi(APP_KEY, SECRET, traces, rate_limit_first=2) as api,
        httpx.Client() as client,
    ):
        waits: list[float] = []
        result = poll(
            conn,
            client,
            QueryApi("zjs", api.origin, APP_KEY, SECRET),
            waybills_to_poll(conn, "ZJS"),
            sleep=waits.append,
        )
        assert [len(query) for query in api.queries] == [10, 10, 3]
    assert (result.queries, result.events_new, result.rate_limited) == (3, 10, 2)
    assert waits == [0.1, 0.1]
    assert (
        conn.execute("select count(*) from raw.courier_pushes where channel = 'zjs'").fetchone()[0]
        == 3
    )
    trust = conn.execute(
        "select distinct trust, carrier from tracking.events where channel = 'zjs'"
    ).fetchall()
    assert trust == [("green", "ZJS")]
    # signed-for waybills are not asked again; the SF one never was
    assert waybills_to_poll(conn, "ZJS") == numbers[5:]


def test_polling_with_a_wrong_secret_fails_loudly(conn: psycopg.Connection) -> None:
    with (
        CourierQueryApi(APP_KEY, SECRET, {}) as api,
        httpx.Client() as client,
        pytest.raises(httpx.HTTPStatusError, match="401"),
    ):
        poll(conn, client, QueryApi("sure", api.origin, APP_KEY, "wrong"), ["S1"])


def test_a_manual_entry_is_red_and_a_bad_file_is_quarantined_whole(
    conn: psycopg.Connection, tmp_path: Path
) -> None:
    good = tmp_path / "typed.csv"
    good.write_text(
        "waybill_no,carrier,status,time,note,entered_by\n"
        "SF100,SF,已签收,2026-12-03 18:20,客户电话确认已收到,客服小王\n"
        "SF101,SF,异常,2026-12-03 18:25,,客服小王\n",
        encoding="utf-8",
    )
    stored = manual.enter_file(conn, good)
    assert stored.new_events == 2
    rows = conn.execute(
        "select waybill_no, native_code, trust, event_at at time zone 'UTC' from tracking.events "
        "where channel = 'manual' order by 1"
    ).fetchall()
    assert [(w, c, t, str(at)) for w, c, t, at in rows] == [
        ("SF100", "已签收", "red", "2026-12-03 10:20:00"),
        ("SF101", "异常", "red", "2026-12-03 10:25:00"),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "waybill_no,carrier,status,time,note,entered_by\nSF102,SF,送到了,2026-12-03 18:20,,x\n",
        encoding="utf-8",
    )
    assert manual.enter_file(conn, bad) == "manual: line 2: unknown status '送到了'"
    kept = conn.execute(
        "select body, reason from raw.courier_quarantine where channel = 'manual'"
    ).fetchone()
    assert bytes(kept[0]) == bad.read_bytes()
    assert (
        conn.execute("select count(*) from tracking.events where waybill_no = 'SF102'").fetchone()[
            0
        ]
        == 0
    )


def test_an_unreadable_shipping_record_is_quarantined_not_dropped(conn: psycopg.Connection) -> None:
    assert land_shipments(conn, [("PDD", '{"order_sn": "261201-1"}'), shipped("Z1")]) == 1
    reason = conn.execute(
        "select reason from raw.courier_quarantine where channel = 'shipping:PDD'"
    ).fetchone()[0]
    assert "order_sn/tracking_number/shipping_code" in reason
    assert land_shipments(conn, [("JD", '["not", "an", "object"]')]) == 0
    reason = conn.execute(
        "select reason from raw.courier_quarantine where channel = 'shipping:JD'"
    ).fetchone()[0]
    assert reason == "shipping record: JD shipping record is not a JSON object"
