"""Taobao/Tmall trades in the shapes real responses have (docs/domain.md §2a) parse to the right
standard version, and what cannot be understood is quarantined with the real cause.

Hand-written payloads in the real layouts (ids above 2^53, `tid_str`, per-sub-order refund
status, presale trades, envelopes, masked phones) are landed through the real landing code,
then the real dbt staging models are built on a real Postgres.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import psycopg
import pytest

from ingest.load import Record, land_records
from ingest.simulate import MerchantSimulator, SimulationConfig
from plumbing.dbt_cli import run_dbt

pytestmark = pytest.mark.integration

TID = 3822001234567890123  # 19 digits, above 2^53: a float cannot hold them


def p(native_id: str | None, body: dict | list) -> Record:
    return Record("taobao", native_id, json.dumps(body, ensure_ascii=False))


def line(oid: int, price: str, num: int, payment: str, refund: str = "NO_REFUND", **extra) -> dict:
    return {
        "oid": oid,
        "oid_str": str(oid),
        "status": "WAIT_SELLER_SEND_GOODS",
        "title": "加厚护眼台灯",
        "num": num,
        "price": price,
        "total_fee": payment,
        "payment": payment,
        "refund_status": refund,
        **extra,
    }


def trade(number: int, **fields: object) -> dict:
    """A paid trade as `taobao.trades.sold.increment.get` returns it: one sub-order, no
    trade-level refund fields, the receiver mobile masked."""
    body: dict = {
        "tid": number,
        "type": "fixed",
        "status": "WAIT_SELLER_SEND_GOODS",
        "created": "2026-10-01 00:30:05",
        "modified": "2026-10-01 00:31:00",
        "pay_time": "2026-10-01 00:31:00",
        "payment": "200.07",
        "total_fee": "198.00",
        "post_fee": "2.07",
        "buyer_nick": "t**1",
        "receiver_name": "王*",
        "receiver_mobile": "1389289****",
        "receiver_state": "浙江省",
        "orders": {"order": [line(number + 1, "99.00", 2, "200.07")]},
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def two_lines(tid: int, first: str, second: str) -> dict:
    return {
        "order": [
            line(tid + 1, "99.00", 1, "99.00", first),
            line(tid + 2, "99.00", 1, "99.00", second),
        ]
    }


GOOD = [
    p(str(TID), trade(TID)),
    p(str(TID + 10), trade(TID + 10, tid_str=str(TID + 10))),
    p("382200123456789", trade(0, tid="382200123456789")),  # 15 digits, as a string
    p(
        str(TID + 20),
        {k: v for k, v in trade(TID + 20).items() if k != "tid"} | {"tid_str": str(TID + 20)},
    ),
    p(str(TID + 30), {"trade_fullinfo_get_response": {"trade": trade(TID + 30)}}),
    p(str(TID + 40), {"jdp_response": {"trade_fullinfo_get_response": {"trade": trade(TID + 40)}}}),
    # a 聚石塔 RDS row: a few columns of its own, the response as JSON text
    p(
        str(TID + 45),
        {
            "tid": TID + 45,
            "status": "WAIT_SELLER_SEND_GOODS",
            "jdp_modified": "2026-10-01 00:31:02",
            "jdp_response": json.dumps(
                {"trade_fullinfo_get_response": {"trade": trade(TID + 45)}}, ensure_ascii=False
            ),
        },
    ),
    p(
        str(TID + 50),
        {"trades_sold_increment_get_response": {"trades": {"trade": [trade(TID + 50)]}}},
    ),
    p(str(TID + 55), {"trades_sold_get_response": {"trades": {"trade": [trade(TID + 55)]}}}),
    p(str(TID + 60), trade(TID + 60, status="PAID_FORBID_CONSIGN")),
    # presale, deposit paid, balance not: the deposit is exactly 1/100 of the lines
    p(
        str(TID + 70),
        trade(
            TID + 70,
            type="step",
            status="WAIT_BUYER_PAY",
            step_trade_status="FRONT_PAID_FINAL_NOPAID",
            step_paid_fee="10.00",
            payment="10.00",
            total_fee="1000.00",
            post_fee="0.00",
            orders={"order": [line(TID + 71, "1000.00", 1, "1000.00")]},
        ),
    ),
    # presale, both paid: `payment` still the deposit, `step_paid_fee` what was paid
    p(
        str(TID + 80),
        trade(
            TID + 80,
            type="step",
            step_trade_status="FRONT_PAID_FINAL_PAID",
            step_paid_fee="1000.00",
            payment="10.00",
            total_fee="1000.00",
            post_fee="0.00",
            orders={"order": [line(TID + 81, "1000.00", 1, "1000.00")]},
        ),
    ),
    # closed unpaid: end_time is the closing time
    p(
        str(TID + 90),
        trade(
            TID + 90,
            status="TRADE_CLOSED_BY_TAOBAO",
            pay_time=None,
            end_time="2026-10-01 12:00:00",
            modified="2026-10-01 12:00:00",
        ),
    ),
    p(
        str(TID + 100),
        trade(
            TID + 100,
            status="TRADE_FINISHED",
            consign_time="2026-10-01 10:00:00",
            end_time="2026-10-05 10:00:00",
            modified="2026-10-05 10:00:00",
        ),
    ),
    # one sub-order refunded, the other not; then one pending while the other is refunded
    p(
        str(TID + 110),
        trade(TID + 110, orders=two_lines(TID + 110, "SUCCESS", "NO_REFUND")),
    ),
    p(
        str(TID + 120),
        trade(TID + 120, orders=two_lines(TID + 120, "SUCCESS", "WAIT_SELLER_AGREE")),
    ),
    # trade-level refund fields (not on real trades) are never read as the refund
    p(
        str(TID + 130),
        trade(
            TID + 130,
            refund_status="SUCCESS",
            refund_fee="50.00",
            orders={"order": [{"oid": TID + 131, "num": 2, "price": "99.00", "payment": "200.07"}]},
        ),
    ),
    # a sub-order refund status no seed row knows is informational: no quarantine
    p(
        str(TID + 340),
        trade(TID + 340, orders=two_lines(TID + 340, "NO_REFUND", "REFUND_MAGIC")),
    ),
    # orders not requested: nothing to check the amount against
    p(str(TID + 140), trade(TID + 140, payment="20007", orders=None)),
    # a one-cent deal: paid 1/100 of the list price, as its own sub-order says
    p(
        str(TID + 150),
        trade(
            TID + 150,
            payment="0.01",
            total_fee="1.00",
            post_fee="0.00",
            orders={"order": [line(TID + 151, "1.00", 1, "0.01", total_fee="1.00")]},
        ),
    ),
    # empty strings and nulls where a relay writes "not happened"
    p(str(TID + 160), trade(TID + 160, consign_time="", end_time=None) | {"end_time": None}),
]

FLOAT_TID = float(TID + 200)  # what a JSON reader with doubles makes of the id
BAD = [
    (p(None, {k: v for k, v in trade(TID + 300).items() if k != "tid"}), "missing field: tid"),
    (p(None, [trade(TID + 301)]), "changed type: the trade is a JSON array"),
    (p("object-tid", trade(0, tid={"id": TID})), "changed type: tid is a JSON object"),
    (p("fraction", trade(0, tid=3822001234567890.5)), "unparseable id: tid = 3822001234567890.5"),
    (
        p(str(TID + 200), trade(0, tid=FLOAT_TID, tid_str=str(TID + 200))),
        f"id mismatch: tid = {Decimal(json.dumps(FLOAT_TID)):f}, tid_str = {TID + 200}",
    ),
    (
        p(str(TID + 305), trade(TID + 305, orders={"order": "3822001234567890306"})),
        "changed type: orders is a JSON string",
    ),
    (p(str(TID + 310), trade(TID + 310, status=None)), "missing field: status"),
    (p(str(TID + 320), trade(TID + 320, payment=None)), "missing field: payment"),
    (p(str(TID + 330), trade(TID + 330, status="WAIT_MAGIC")), "unknown native status: WAIT_MAGIC"),
    (
        p(str(TID + 350), trade(TID + 350, type="step", step_trade_status="FRONT_MAGIC")),
        "unknown native status: step_trade_status = FRONT_MAGIC",
    ),
    (
        p(
            str(TID + 360),
            trade(
                TID + 360,
                type="step",
                step_trade_status="FRONT_PAID_FINAL_PAID",
                step_paid_fee="1,000",
            ),
        ),
        "unparseable amount: step_paid_fee = 1,000",
    ),
    (
        p(
            str(TID + 370),
            trade(TID + 370, status="TRADE_FINISHED", end_time="2026-13-01 10:00:00"),
        ),
        "unparseable time: end_time = 2026-13-01 10:00:00",
    ),
    (
        p(
            None,
            {
                "trades_sold_increment_get_response": {
                    "trades": {"trade": [trade(TID + 380), trade(TID + 381)]}
                }
            },
        ),
        "envelope: 2 trades in one payload, expected one",
    ),
    (
        p(str(TID + 390), {"tid": TID + 390, "jdp_response": '{"trade_fullinfo_get_response":{'}),
        "envelope: jdp_response is not JSON",
    ),
    (
        p(None, {"trades_sold_increment_get_response": {"total_results": 0}}),
        "envelope: 0 trades in one payload, expected one",
    ),
    # fen sent where yuan belong: 100× what the sub-order and the post fee add up to
    (
        p(
            str(TID + 400),
            trade(
                TID + 400,
                orders={"order": [line(TID + 401, "99.00", 2, "198.00")]},
                payment="20007",
            ),
        ),
        "money unit: payment = 20007 is 100× or 1/100 of what the lines add up to (20007 fen)",
    ),
    # ... and 100× a single sub-order's payment, which holds the post fee already
    (
        p(str(TID + 410), trade(TID + 410, payment="20007")),
        "money unit: payment = 20007 is 100× or 1/100 of what the lines add up to (20007 fen)",
    ),
    # ... and 100× the list prices × quantities and the post fee, with or without the
    # sub-order's own (discounted) amount
    (
        p(
            str(TID + 420),
            trade(
                TID + 420,
                payment="20007",
                orders={"order": [{"oid": TID + 421, "num": 2, "price": "99.00"}]},
            ),
        ),
        "money unit: payment = 20007 is 100× or 1/100 of what the lines add up to (20007 fen)",
    ),
    (
        p(
            str(TID + 425),
            trade(
                TID + 425,
                payment="20007",
                orders={"order": [line(TID + 426, "99.00", 2, "180.00")]},
            ),
        ),
        "money unit: payment = 20007 is 100× or 1/100 of what the lines add up to (20007 fen)",
    ),
    # yuan divided once too often: 1/100 of what two sub-orders add up to
    (
        p(
            str(TID + 430),
            trade(
                TID + 430,
                payment="2.00",
                post_fee="2.00",
                orders=two_lines(TID + 430, "NO_REFUND", "NO_REFUND"),
            ),
        ),
        "money unit: payment = 2.00 is 100× or 1/100 of what the lines add up to (20000 fen)",
    ),
]


@pytest.fixture(scope="module")
def staged(module_db_url: str) -> str:
    with psycopg.connect(module_db_url) as conn:
        land_records(conn, [*GOOD, *(payload for payload, _ in BAD)], label="taobao-contract")
    run_dbt(module_db_url, "build", "--select", "path:seeds path:models/staging/taobao")
    return module_db_url


def version(url: str, native_id: str) -> dict:
    with psycopg.connect(url) as conn, conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        row = cur.execute(
            "select * from staging.stg_taobao__trade_versions where native_id = %s", (native_id,)
        ).fetchone()
    assert row is not None, native_id
    return row


def test_every_real_shape_parses(staged: str) -> None:
    with psycopg.connect(staged) as conn:
        quarantined = conn.execute(
            "select raw.native_id, versions.parse_error from staging.stg_taobao__trade_versions"
            " as versions join raw.taobao_trades as raw using (raw_id)"
            " where versions.parse_error is not null"
        ).fetchall()
    good_ids = {payload.native_id for payload in GOOD}
    assert [row for row in quarantined if row[0] in good_ids] == []


def test_a_paid_trade_becomes_a_standard_version(staged: str) -> None:
    row = version(staged, str(TID))
    assert row["native_id"] == "3822001234567890123", "the id's exact digits, never a float's"
    assert (row["state"], row["status_is_cancelled"], row["is_on_hold"]) == ("paid", False, False)
    # 00:30:05 China time on 1 October is 16:30:05 UTC on 30 September
    assert row["created_at"] == datetime(2026, 9, 30, 16, 30, 5, tzinfo=UTC)
    assert row["paid_at"] == datetime(2026, 9, 30, 16, 31, tzinfo=UTC)
    assert (row["payment_fen"], row["post_fee_fen"]) == (20007, 207)
    assert row["native_refund_status"] == "NO_REFUND"
    assert "refund_fen" not in row and "refund_phase" not in row, "refunds come from refund API"
    assert row["receiver_phone"] == "1389289****"
    assert (row["shipped_at"], row["completed_at"]) == (None, None)


def test_tid_str_string_tid_and_tid_str_alone_give_the_exact_id(staged: str) -> None:
    for native_id in (str(TID + 10), "382200123456789", str(TID + 20)):
        assert version(staged, native_id)["payment_fen"] == 20007


def test_envelopes_hold_the_same_trade(staged: str) -> None:
    for native_id in (TID + 30, TID + 40, TID + 45, TID + 50, TID + 55):
        row = version(staged, str(native_id))
        assert (row["state"], row["payment_fen"]) == ("paid", 20007)


def test_paid_forbid_consign_is_paid_and_held(staged: str) -> None:
    row = version(staged, str(TID + 60))
    assert (row["state"], row["is_on_hold"], row["status_is_cancelled"]) == ("paid", True, False)


def test_presale_with_the_balance_unpaid_is_not_paid(staged: str) -> None:
    row = version(staged, str(TID + 70))
    assert row["paid_at"] is None and row["state"] == "created"
    assert row["payment_fen"] == 1000, "the deposit is what was paid"
    assert row["parse_error"] is None, "a deposit 1/100 of the lines is no unit error"


def test_presale_fully_paid_counts_what_was_paid(staged: str) -> None:
    row = version(staged, str(TID + 80))
    assert row["state"] == "paid" and row["paid_at"] is not None
    assert row["payment_fen"] == 100_000, "step_paid_fee, not the deposit in `payment`"


def test_end_time_is_a_completion_time_only_when_completed(staged: str) -> None:
    closed = version(staged, str(TID + 90))
    assert (closed["state"], closed["status_is_cancelled"]) == ("created", True)
    assert closed["completed_at"] is None
    assert closed["modified_at"] == datetime(2026, 10, 1, 4, 0, tzinfo=UTC)
    finished = version(staged, str(TID + 100))
    assert finished["state"] == "completed"
    assert finished["completed_at"] == datetime(2026, 10, 5, 2, 0, tzinfo=UTC)
    assert finished["shipped_at"] == datetime(2026, 10, 1, 2, 0, tzinfo=UTC)


def test_sub_order_refund_status_is_kept_as_the_trades_own_signal(staged: str) -> None:
    assert version(staged, str(TID + 110))["native_refund_status"] == "SUCCESS"
    assert version(staged, str(TID + 120))["native_refund_status"] == "WAIT_SELLER_AGREE"
    unknown = version(staged, str(TID + 340))
    assert (unknown["native_refund_status"], unknown["parse_error"]) == ("REFUND_MAGIC", None)


def test_trade_level_refund_fields_are_not_the_refund(staged: str) -> None:
    row = version(staged, str(TID + 130))
    assert (row["parse_error"], row["native_refund_status"]) == (None, "SUCCESS")


def test_money_unit_needs_lines_and_respects_discounts(staged: str) -> None:
    no_lines = version(staged, str(TID + 140))
    assert (no_lines["parse_error"], no_lines["payment_fen"]) == (None, 2_000_700)
    one_cent = version(staged, str(TID + 150))
    assert (one_cent["parse_error"], one_cent["payment_fen"]) == (None, 1)


def test_empty_and_null_times_are_not_happened(staged: str) -> None:
    row = version(staged, str(TID + 160))
    assert (row["parse_error"], row["shipped_at"], row["completed_at"]) == (None, None, None)


def test_quarantine_names_the_real_cause(staged: str) -> None:
    with psycopg.connect(staged) as conn:
        reasons = conn.execute(
            "select raw.native_id, versions.parse_error from staging.stg_taobao__trade_versions"
            " as versions join raw.taobao_trades as raw using (raw_id)"
            " where versions.parse_error is not null"
        ).fetchall()
    expected = [(payload.native_id, reason) for payload, reason in BAD]
    assert sorted(reasons, key=str) == sorted(expected, key=str)
    with psycopg.connect(staged) as conn:
        staged_ids = {
            r[0] for r in conn.execute("select native_id from staging.stg_taobao__trades")
        }
    assert str(TID + 400) not in staged_ids and str(TID + 330) not in staged_ids


def test_simulated_trades_take_the_same_parsers(fresh_db_url: str) -> None:
    simulator = MerchantSimulator(SimulationConfig(seed=5, orders_per_day=300, days=2))
    records, truths = [], []
    for chunk in simulator.chunks(1000):
        records += [r for r in chunk.records if r.source == "taobao"]
        truths += [o for o in chunk.orders if o.platform == "TB"]
    with psycopg.connect(fresh_db_url) as conn:
        land_records(conn, records, label="simulated-taobao")
    run_dbt(fresh_db_url, "build", "--select", "path:seeds path:models/staging/taobao")
    with psycopg.connect(fresh_db_url) as conn:
        staged = {
            r[0]: r[1:]
            for r in conn.execute(
                "select native_id, payment_fen, native_refund_status, is_on_hold"
                " from staging.stg_taobao__trades"
            )
        }
        quarantined = conn.execute(
            "select count(*) from staging.stg_taobao__trade_versions where parse_error is not null"
        ).fetchone()[0]
    regular = {o.native_id: o for o in truths if not o.expect_quarantine}
    assert set(staged) == set(regular)
    assert quarantined == sum(o.expect_quarantine for o in truths), "junk only"
    for native_id, o in regular.items():
        payment, sub_order_refund, held = staged[native_id]
        assert held is False
        if o.expected_state != "created":
            assert payment == o.payment_fen
        refunded = o.expected_refund_status in ("partial", "full")
        assert sub_order_refund == ("SUCCESS" if refunded else "NO_REFUND")
