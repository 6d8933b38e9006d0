"""End to end: `ordersight import` of saved responses, then `ordersight cycle`, on a warehouse
that holds no simulation at all: the imported orders reach the marts with unified keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.cli_runner import run, state_home
from tests.export_samples import SAMPLES, TAOBAO_ITEMS, TAOBAO_ORDERS, write_csv

pytestmark = pytest.mark.e2e

TIDS = (3822001234567890123, 3822001234567890125)


REFUNDS_RESPONSE = {  # taobao.refunds.receive.get: one refund succeeded, one refused
    "refunds_receive_get_response": {
        "total_results": 2,
        "has_next": False,
        "refunds": {
            "refund": [
                {
                    "refund_id": 5000000000000000001 + number,
                    "tid": TIDS[0],
                    "oid": TIDS[0] + 1,
                    "payment": "200.07",
                    "refund_fee": fee,
                    "status": status,
                    "has_good_return": False,
                    "created": "2026-11-21 09:00:00",
                    "modified": "2026-11-21 10:00:00",
                }
                for number, (fee, status) in enumerate(
                    (("50.00", "SUCCESS"), ("150.07", "SELLER_REFUSE_BUYER"))
                )
            ]
        },
    }
}


def trade(tid: int) -> dict:
    """A paid trade as `taobao.trades.sold.increment.get` returns it."""
    return {
        "tid": tid,
        "tid_str": str(tid),
        "type": "fixed",
        "status": "WAIT_SELLER_SEND_GOODS",
        "created": "2026-11-20 10:30:05",
        "modified": "2026-11-20 10:31:00",
        "pay_time": "2026-11-20 10:31:00",
        "payment": "200.07",
        "total_fee": "198.00",
        "post_fee": "2.07",
        "receiver_name": "王*",
        "receiver_mobile": "1389289****",
        "orders": {
            "order": [
                {
                    "oid": tid + 1,
                    "oid_str": str(tid + 1),
                    "status": "WAIT_SELLER_SEND_GOODS",
                    "num": 2,
                    "price": "99.00",
                    "total_fee": "198.00",
                    "payment": "200.07",
                    "refund_status": "NO_REFUND",
                }
            ]
        },
    }


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield from state_home(tmp_path_factory, "import")


def test_imported_orders_reach_the_marts_through_one_cycle(home: Path, tmp_path: Path) -> None:
    response = {
        "trades_sold_increment_get_response": {
            "total_results": 2,
            "has_next": False,
            "trades": {"trade": [trade(tid) for tid in TIDS]},
        }
    }
    dump = tmp_path / "taobao-2026-11-20.jsonl"
    dump.write_text(
        json.dumps(response, ensure_ascii=False)
        + "\n"
        + '{"error_response":{"code":27,"msg":"Invalid session"}}\n',
        encoding="utf-8",
    )
    imported = run(["import", str(dump), "--platform", "TB"], home)
    assert imported.returncode == 0, imported.stdout[-3000:] + imported.stderr[-3000:]
    assert "2 taobao objects landed (2 ids); 1 kept aside" in imported.stdout
    export = write_csv(SAMPLES["pdd"][0], tmp_path / "pdd-orders.csv", "gbk")
    imported = run(["import", str(export), "--platform", "PDD"], home)
    assert "pdd-orders v1, 2 rows; 2 pdd objects landed (2 ids)" in imported.stdout
    again = run(["import", str(dump), "--platform", "taobao"], home)
    assert "already imported" in again.stdout
    refunds = tmp_path / "taobao-refunds-2026-11-21.json"
    refunds.write_text(json.dumps(REFUNDS_RESPONSE, ensure_ascii=False), encoding="utf-8")
    imported = run(["import", str(refunds), "--platform", "TB", "--entity", "refunds"], home)
    assert imported.returncode == 0, imported.stdout[-3000:] + imported.stderr[-3000:]
    assert "2 taobao_refunds objects landed (2 ids)" in imported.stdout

    cycle = run(["cycle"], home)
    assert cycle.returncode == 0, cycle.stdout[-4000:] + cycle.stderr[-4000:]
    assert "ordersight — summary" in cycle.stdout
    assert "taobao: error response 1" in cycle.stdout

    url = run(["db", "url"], home).stdout.strip()
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select native_order_id, unified_key, state, payment_fen from marts.fct_orders "
            "order by native_order_id"
        ).fetchall()
        refunded = conn.execute(
            "select native_order_id, refund_status, refund_fen, has_pending_refund"
            " from marts.fct_orders order by native_order_id"
        ).fetchall()
        simulated = conn.execute("select to_regclass('sim.orders') is not null").fetchone()[0]
        from_export = conn.execute(
            "select native_order_id, unified_key, state, payment_fen from marts.fct_orders "
            "where platform = 'PDD' order by native_order_id"
        ).fetchall()
    assert [(r[0], r[2], r[3]) for r in rows if r[1].startswith("TB")] == [
        (str(tid), "paid", 20007) for tid in TIDS
    ]
    assert [r for r in refunded if r[0] in {str(tid) for tid in TIDS}] == [
        (str(TIDS[0]), "partial", 5000, False),  # the refused refund counts for nothing
        (str(TIDS[1]), "none", 0, False),
    ]
    assert [(r[0], r[2], r[3]) for r in from_export] == [
        ("260607-400000294410900", "shipped", 16899),
        ("260608-400000294410901", "completed", 2107),
    ]
    assert all(r[1].startswith("PDD") for r in from_export)
    assert not simulated


def test_an_order_export_lands_with_its_item_file(home: Path, tmp_path: Path) -> None:
    orders = write_csv(TAOBAO_ORDERS, tmp_path / "ExportOrderList.csv", "gbk")
    items = write_csv(TAOBAO_ITEMS, tmp_path / "ExportOrderDetailList.csv", "gbk")
    done = run(["import", str(items), str(orders), "--platform", "TB"], home)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "taobao-orders v1, 3 rows (+3 item rows); 3 taobao objects landed (3 ids)" in (
        done.stdout
    )
    assert "ExportOrderDetailList.csv: item file" in done.stdout


def test_unsupported_inputs_get_a_clear_error(home: Path, tmp_path: Path) -> None:
    export = tmp_path / "ExportOrderList.csv"
    export.write_text("订单编号\n")
    done = run(["import", str(export), "--platform", "TB"], home)
    assert done.returncode == 2 and "misses the required column(s) 订单状态" in done.stdout
    done = run(["import", str(export), "--platform", "TB", "--entity", "refunds"], home)
    assert done.returncode == 2 and "refund exports have no documented layout" in done.stdout
    done = run(["import", str(export), "--platform", "tmall"], home)
    assert done.returncode == 2 and "unknown source 'tmall'" in done.stdout
    done = run(["import", str(tmp_path / "nope.json"), "--platform", "TB"], home)
    assert done.returncode == 2 and "no such file" in done.stdout
