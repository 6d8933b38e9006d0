"""Landing: payloads Postgres refuses as jsonb are kept and quarantined, the rest of their chunk
lands; a different simulation replaces the previous one; real landings are never dropped."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import psycopg
from dagster import materialize
from dagster_dbt import DbtCliResource

from ingest.couriers.store import PushMeta, ensure_tracking_schema, quarantine
from ingest.load import land_records
from ingest.simulate.model import RawRecord
from orchestration.assets.dbt import dbt_project, dbt_staging, dbt_warehouse
from orchestration.assets.ingest import simulated_merchant
from orchestration.assets.keys import order_keys
from orchestration.resources import WarehouseResource
from plumbing.dbt_cli import dbt_executable, run_dbt

NOW = datetime(2026, 10, 3, 12, tzinfo=UTC)
NOT_JSON = '{"tid": 9001, "status": "WAIT_SELLER_SEND_GOODS", '  # cut off mid-payload
NUL_INSIDE = '{"tid": 9002, "status": "TRADE_FINISHED\x00"}'


def good(i: int) -> RawRecord:
    return RawRecord("taobao", str(8000 + i), json.dumps({"tid": 8000 + i}), NOW)


def test_payloads_postgres_refuses_are_kept_with_the_reason_and_the_rest_lands(
    fresh_db_url: str,
) -> None:
    records = [
        *(good(i) for i in range(40)),
        RawRecord("taobao", "9001", NOT_JSON, NOW),
        *(good(i) for i in range(40, 70)),
        RawRecord("taobao", "9002", NUL_INSIDE, NOW),
        RawRecord("u8", "SO-1", json.dumps({"csocode": "SO-1"}), NOW),
    ]
    with psycopg.connect(fresh_db_url) as conn:
        result = land_records(conn, records, label="refusals", chunk_rows=32)
        landed = conn.execute("select count(*) from raw.taobao_trades").fetchone()[0]
        refused = conn.execute(
            "select native_id, payload, reason from raw.rejected_payloads order by native_id"
        ).fetchall()
        u8 = conn.execute("select count(*) from raw.u8_sales_orders").fetchone()[0]
    assert (landed, u8) == (70, 1)
    assert result.rows_by_source == {"taobao": 72, "u8": 1}
    assert result.refused == 2
    assert [native_id for native_id, _, _ in refused] == ["9001", "9002"]
    assert [bytes(payload).decode() for _, payload, _ in refused] == [NOT_JSON, NUL_INSIDE]
    assert all(reason.startswith("invalid payload: ") for _, _, reason in refused)
    assert "json" in refused[0][2].lower()


def test_refused_payloads_are_quarantined_with_their_reason(fresh_db_url: str) -> None:
    with psycopg.connect(fresh_db_url) as conn:
        land_records(conn, [good(1), RawRecord("jd", "77", NOT_JSON, NOW)], label="one-bad")
    run_dbt(
        fresh_db_url,
        "build",
        "--select",
        "+int_payloads__quarantined",
        "--exclude",
        "test_type:data",
    )
    with psycopg.connect(fresh_db_url) as conn:
        quarantined = conn.execute(
            "select source, native_id, reason_kind from intermediate.int_payloads__quarantined "
            "where reason_kind = 'invalid payload'"
        ).fetchall()
    assert quarantined == [("jd", "77", "invalid payload")]


def _simulate(url: str, seed: int, *, build: bool = True):
    """Land a small simulated merchant; with ``build``, also the keys and every dbt model."""
    assets = [simulated_merchant, dbt_staging, order_keys, dbt_warehouse] if build else []
    return materialize(
        assets or [simulated_merchant],
        resources={
            "warehouse": WarehouseResource(database_url=url),
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
        },
        run_config={
            "ops": {
                "simulated_merchant": {"config": {"seed": seed, "orders_per_day": 40, "days": 2}}
            }
        },
        raise_on_error=False,
    )


def test_a_different_simulation_replaces_the_previous_one(fresh_db_url: str) -> None:
    assert _simulate(fresh_db_url, seed=3).success
    assert _simulate(fresh_db_url, seed=4).success
    with psycopg.connect(fresh_db_url) as conn:
        expected, orders, matched, batches = conn.execute(
            """
            select
              (select count(*) from sim.orders where not expect_quarantine),
              (select count(*) from marts.fct_orders),
              (select count(*) from sim.orders t join marts.fct_orders o
                 on o.platform = t.platform and o.native_order_id = t.native_id
                and o.state = t.expected_state
               where not t.expect_quarantine),
              (select count(*) from raw.landing_batches)
            """
        ).fetchone()
    assert orders == expected == matched == 80
    assert batches == 1, "only the second simulation is left"


def test_a_simulation_never_drops_real_landings(fresh_db_url: str) -> None:
    with psycopg.connect(fresh_db_url) as conn:
        land_records(conn, [good(1)], label="taobao-api:2026-10-03T12:00")
    result = _simulate(fresh_db_url, seed=3)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "not simulations" in failure.event_specific_data.error.to_string()
    with psycopg.connect(fresh_db_url) as conn:
        assert conn.execute("select count(*) from raw.taobao_trades").fetchone()[0] == 1


def test_a_new_simulation_never_drops_courier_pushes(fresh_db_url: str) -> None:
    assert _simulate(fresh_db_url, seed=3, build=False).success
    with psycopg.connect(fresh_db_url) as conn:
        ensure_tracking_schema(conn)
        quarantine(conn, PushMeta("sf", "application/json", {}, None), b"{", "not JSON")
    result = _simulate(fresh_db_url, seed=4, build=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "raw.courier_quarantine" in failure.event_specific_data.error.to_string()
    with psycopg.connect(fresh_db_url) as conn:
        assert conn.execute("select count(*) from raw.courier_quarantine").fetchone()[0] == 1
        assert conn.execute("select count(*) from raw.taobao_trades").fetchone()[0] > 0


def test_the_same_simulation_is_not_landed_twice(fresh_db_url: str) -> None:
    assert _simulate(fresh_db_url, seed=3, build=False).success
    with psycopg.connect(fresh_db_url) as conn:
        first = conn.execute("select count(*) from raw.taobao_trades").fetchone()[0]
    assert _simulate(fresh_db_url, seed=3, build=False).success
    with psycopg.connect(fresh_db_url) as conn:
        again = conn.execute("select count(*) from raw.taobao_trades").fetchone()[0]
        batches = conn.execute("select count(*) from raw.landing_batches").fetchone()[0]
    assert first == again > 0
    assert batches == 1
