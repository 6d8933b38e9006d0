"""Reconciliation end to end in Dagster: diffs, windows, the three-colour board with its history
and escalation, the GE checks, incident alerts to local Feishu/Slack stand-ins, finance access."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from dagster import (
    DagsterEventType,
    DagsterInstance,
    build_run_status_sensor_context,
    materialize,
)
from dagster_dbt import DbtCliResource

from alerts import read_outbox
from domain.sources import PLATFORM_CODES
from ingest.load import land_records
from ingest.simulate.model import RawRecord
from orchestration.alerting import alert_after_run
from orchestration.assets.dbt import dbt_project, dbt_staging, dbt_warehouse
from orchestration.assets.ingest import simulated_merchant
from orchestration.assets.keys import order_keys
from orchestration.checks import ge_checks, outcome_of
from orchestration.resources import AlertChannelsResource, WarehouseResource
from orchestration.sensors import reconciliation_alerts, run_failure_alerts
from plumbing.dbt_cli import dbt_executable, run_dbt
from reports.scoring import EXPECTED_REASON, score_detection
from tests.fakes.feishu_server import FakeFeishuBot
from tests.fakes.slack_server import FakeSlackApi
from tests.urls import login_as

SIMULATION = {"seed": 23, "orders_per_day": 250, "days": 3}


def resources(url: str, outbox, slack_base_url: str = "https://slack.com/api/") -> dict:
    return {
        "warehouse": WarehouseResource(database_url=url),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
        "alert_channels": AlertChannelsResource(
            outbox_path=str(outbox), slack_base_url=slack_base_url
        ),
    }


@pytest.fixture(scope="module")
def recon(module_db_url: str, tmp_path_factory: pytest.TempPathFactory):
    outbox = tmp_path_factory.mktemp("alerts") / "outbox.jsonl"
    instance = DagsterInstance.ephemeral()
    result = materialize(
        [simulated_merchant, dbt_staging, order_keys, dbt_warehouse, *ge_checks],
        resources=resources(module_db_url, outbox),
        run_config={"ops": {"simulated_merchant": {"config": SIMULATION}}},
        instance=instance,
        raise_on_error=False,
    )
    assert result.success
    return module_db_url, result, instance, outbox


def rows(url: str, sql: str, params: dict | None = None) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def test_every_injected_fault_is_red_with_its_reason_and_clean_orders_are_not(recon) -> None:
    url, *_ = recon
    with psycopg.connect(url) as conn:
        score = score_detection(conn)
    assert score.faulty > 10, "the simulator injects discrepancies at this size"
    assert score.recall == 1.0
    assert score.false_positives == 0
    assert score.reason_accuracy == 1.0


def test_each_fault_kind_maps_to_its_reason_code(recon) -> None:
    url, *_ = recon
    found = rows(
        url,
        """
        select f.fault, array_agg(distinct d.reason_code)
        from sim.faults f
        join marts.fct_reconciliation_diffs d
          on d.platform = f.platform and d.native_order_id = f.native_id
        where f.fault = any(%(faults)s)
        group by f.fault
        """,
        {"faults": list(EXPECTED_REASON)},
    )
    assert found, "faults were injected and found"
    for fault, reasons in found:
        assert EXPECTED_REASON[fault] in reasons, (fault, reasons)


def test_yellow_items_are_holds_and_partial_refunds(recon) -> None:
    url, *_ = recon
    yellow = dict(
        rows(
            url,
            "select reason_code, count(*) from marts.fct_reconciliation_board "
            "where color = 'yellow' group by 1",
        )
    )
    # orders with no disagreement but that the ERP booked a held order: those need a person
    holds, holds_booked, partials = rows(
        url,
        "select count(*) filter (where is_on_hold), "
        "count(*) filter (where is_on_hold and exists ("
        "select 1 from marts.fct_reconciliation_diffs d where d.unified_key = o.unified_key)), "
        "count(*) filter (where refund_status = 'partial' and not is_on_hold) "
        "from marts.fct_orders o where paid_at is not null and not exists ("
        "select 1 from marts.fct_reconciliation_diffs d where d.unified_key = o.unified_key"
        " and d.reason_code <> 'hold_booked_as_paid')",
    )[0]
    assert holds > 0 and holds_booked > 0 and partials > 0
    assert yellow.get("hold_booked_as_paid", 0) == holds_booked
    assert yellow.get("risk_control_hold", 0) == holds - holds_booked
    assert yellow.get("partial_refund", 0) == partials
    misread = rows(
        url,
        "select count(*) from marts.fct_reconciliation_diffs d join marts.fct_orders o"
        " using (unified_key) where d.reason_code = 'hold_booked_as_paid'"
        " and (d.issue <> 'status_mismatch' or not o.is_on_hold or not o.in_erp)",
    )[0][0]
    assert misread == 0


def test_platform_windows_agree_and_erp_windows_count_erp_orders(recon) -> None:
    # the store counts paid success only (no held orders) for every source; the simulated ERP
    # books every held order it receives, so it has them on top of the store
    url, *_ = recon
    per_source = dict(
        (source, (src, store, drifting))
        for source, src, store, drifting in rows(
            url,
            "select source_system, sum(source_paid_count), sum(store_paid_count), "
            "count(*) filter (where is_drifting) from marts.fct_reconciliation_windows group by 1",
        )
    )
    for platform in ("TB", "JD", "PDD", "WX"):
        source, store, drifting = per_source[platform]
        assert source == store and drifting == 0, platform
    erp_orders = rows(url, "select count(*) from staging.stg_u8__sales_orders")[0][0]
    assert per_source["U8"][0] == erp_orders
    missing, held = rows(
        url,
        "select count(*) filter (where fault = 'missing_in_erp'), "
        "count(*) filter (where fault = 'risk_control_hold') from sim.faults",
    )[0]
    assert held > 0
    assert per_source["U8"][1] - per_source["U8"][0] == missing - held
    paid_not_held = rows(
        url, "select count(*) from marts.fct_orders where paid_at is not null and not is_on_hold"
    )[0][0]
    assert per_source["U8"][1] == per_source["LEDGER"][1] == paid_not_held


def test_drift_check_fails_with_offending_windows_and_orders(recon) -> None:
    _, result, *_ = recon
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    drift = evaluations["drift_within_threshold"]
    assert not drift.passed
    outcome = outcome_of(dict(drift.metadata))
    assert outcome is not None and not outcome.passed
    assert outcome.metadata["offending_windows"] > 0
    assert outcome.rows, "the failure lists differing orders"
    assert all(row.unified_key and row.reason_code for row in outcome.rows)
    assert outcome.total_rows >= len(outcome.rows)
    assert outcome.diff_file and Path(outcome.diff_file).is_file()
    for platform in PLATFORM_CODES:
        check = evaluations[f"completeness_{platform.lower()}"]
        assert check.metadata["ran"].value is True
        completeness = outcome_of(dict(check.metadata))
        assert completeness is not None
        assert check.passed == (not completeness.metadata["unmapped_statuses"]["count"])


def test_alerts_go_to_feishu_and_slack_once_per_incident(recon, monkeypatch, tmp_path) -> None:
    url, result, instance, _ = recon
    outbox = tmp_path / "outbox.jsonl"
    with FakeFeishuBot(secret="s3cret") as feishu, FakeSlackApi("xoxb-test", ("C1",)) as slack:
        monkeypatch.setenv("ORDERSIGHT_FEISHU_WEBHOOK_URL", feishu.url)
        monkeypatch.setenv("ORDERSIGHT_FEISHU_SECRET", "s3cret")
        monkeypatch.setenv("ORDERSIGHT_SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("ORDERSIGHT_SLACK_CHANNEL", "C1")
        channels = AlertChannelsResource(outbox_path=str(outbox), slack_base_url=slack.base_url)
        warehouse = WarehouseResource(database_url=url)
        first = alert_after_run(instance, result.run_id, "reconcile", warehouse, channels)
        drift_alerts = [a for a in first if a.dedup_key.endswith("drift_within_threshold")]
        assert len(drift_alerts) == 1 and drift_alerts[0].kind == "firing"
        card = json.dumps(feishu.accepted[0], ensure_ascii=False)
        assert drift_alerts[0].rows[0].unified_key in card
        assert "0.3" in card or "drift" in card
        assert slack.messages and slack.files, "Slack got the message and the diff file"
        assert b"unified_key" in slack.files[0].data
        again = alert_after_run(instance, result.run_id, "reconcile", warehouse, channels)
        assert again == [], "a check still failing on the next run sends nothing (no storm)"
        assert len(feishu.accepted) == len(first)
    assert read_outbox(outbox) == [], "nothing failed, so nothing was written to the outbox"


def test_red_items_escalate_after_two_hours_and_history_shows_the_fix(recon, tmp_path) -> None:
    url, result, instance, _ = recon
    red_key, platform, native_id = rows(
        url,
        "select b.unified_key, b.platform, b.native_order_id from marts.fct_reconciliation_board b"
        " where b.color = 'red' and b.reason_code = 'erp_not_received' order by 1 limit 1",
    )[0]
    with psycopg.connect(url) as conn:
        conn.execute(
            "update snapshots.snap_reconciliation_board "
            "set dbt_valid_from = dbt_valid_from - interval '3 hours' where color = 'red'"
        )
    run_dbt(url, "run", "--select", "fct_reconciliation_board")
    escalated = rows(
        url,
        "select count(*) from marts.fct_reconciliation_board "
        "where escalated and assigned_to = 'IT'",
    )[0][0]
    reds = rows(url, "select count(*) from marts.fct_reconciliation_board where color = 'red'")
    assert escalated == reds[0][0] > 0

    channels = AlertChannelsResource(outbox_path=str(tmp_path / "outbox.jsonl"))
    warehouse = WarehouseResource(database_url=url)
    sent = alert_after_run(instance, result.run_id, "reconcile", warehouse, channels)
    escalations = [a for a in sent if a.kind == "escalation"]
    assert len(escalations) == 1 and escalations[0].total_rows == escalated
    records = read_outbox(tmp_path / "outbox.jsonl")
    assert any(r["kind"] == "escalation" for r in records)
    assert not [
        a
        for a in alert_after_run(instance, result.run_id, "reconcile", warehouse, channels)
        if a.kind == "escalation"
    ]

    # the ERP sales order arrives late: the item turns green and the history says when and why
    paid_fen, created, cancelled = rows(
        url,
        "select payment_fen, to_char(paid_at at time zone 'Asia/Shanghai', "
        "'YYYY-MM-DD HH24:MI:SS'), is_cancelled from marts.fct_orders "
        "where unified_key = %(k)s",
        {"k": red_key},
    )[0]
    late = RawRecord(
        source="u8",
        native_id="SO-LATE-1",
        emitted_at=datetime.now(UTC),
        payload=json.dumps(
            {
                "code": "SO-LATE-1",
                "date": created,
                "custcode": "X",
                "state": "作废" if cancelled else "审核",
                "sum": f"{paid_fen // 100}.{paid_fen % 100:02d}",
                "define1": platform,
                "define2": native_id,
            },
            ensure_ascii=False,
        ),
    )
    with psycopg.connect(url) as conn:
        land_records(conn, [late], label="late-erp")
    run_dbt(url, "build", "--select", "path:models/staging/u8+", "--exclude", "test_type:data")
    color, reason, escalated_now = rows(
        url,
        "select color, reason_code, escalated from marts.fct_reconciliation_board "
        "where unified_key = %(k)s",
        {"k": red_key},
    )[0]
    assert color in ("green", "yellow") and not escalated_now, (color, reason)
    history = rows(
        url,
        "select color, reason_code, valid_to is null from "
        "marts.fct_reconciliation_board_history where unified_key = %(k)s "
        "order by valid_from",
        {"k": red_key},
    )
    assert history[0][:2] == ("red", "erp_not_received") and history[0][2] is False
    assert history[-1][0] == color and history[-1][2] is True


def test_finance_role_reads_marts_and_reports_only(recon) -> None:
    url, *_ = recon
    with psycopg.connect(url) as conn:
        # a reports table made after the build, as the monthly report makes its own
        conn.execute("create table reports.finance_probe (month date, orders integer)")
        conn.execute("insert into reports.finance_probe values ('2026-10-01', 3)")
        conn.execute("alter role ordersight_finance password 'finance-test'")
    finance_url = login_as(url, "ordersight_finance", "finance-test")
    with psycopg.connect(finance_url) as conn:
        assert conn.execute("select count(*) from marts.fct_reconciliation_board").fetchone()[0] > 0
        assert conn.execute("select count(*) from marts.fct_orders").fetchone()[0] > 0
        assert conn.execute("select orders from reports.finance_probe").fetchone() == (3,)
        assert conn.execute("show default_transaction_read_only").fetchone() == ("on",)
        conn.rollback()
        for statement in (
            "select count(*) from raw.taobao_trades",
            "select count(*) from staging.stg_taobao__trades",
            "select count(*) from intermediate.int_orders__unified",
            "select count(*) from keys.order_keys",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
            conn.rollback()
        writes = (
            "insert into marts.fct_reconciliation_board (item_key, color, reason_code, escalated)"
            " values ('x', 'red', 'x', false)",
            "update marts.fct_orders set payment_fen = 0",
            "delete from marts.fct_orders",
            "insert into reports.finance_probe values ('2026-11-01', 1)",
            "create table public.finance_scratch (x integer)",
        )
        for statement in writes:
            # sessions are read-only by default ...
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                conn.execute(statement)
            conn.rollback()
            # ... and asking for a read-write transaction gives no privilege either
            conn.execute("set transaction read write")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
            conn.rollback()


def test_sensors_alert_through_their_resources(recon, tmp_path) -> None:
    url, result, instance, _ = recon
    outbox = tmp_path / "outbox.jsonl"
    sensor_resources = {
        "warehouse": WarehouseResource(database_url=url),
        "alert_channels": AlertChannelsResource(outbox_path=str(outbox)),
    }
    run = instance.get_run_by_id(result.run_id)
    success = instance.all_logs(result.run_id, of_type=DagsterEventType.RUN_SUCCESS)[0]
    context = build_run_status_sensor_context(
        sensor_name="run_failure_alerts",
        dagster_event=success.dagster_event,
        dagster_instance=instance,
        dagster_run=run,
        resources=sensor_resources,
    )
    # a failure of the job: one message, however many times the sensor sees it failing
    run_failure_alerts(context.for_run_failure())
    run_failure_alerts(context.for_run_failure())
    failures = [r for r in read_outbox(outbox) if r["dedup_key"] == "run:__ephemeral_asset_job__"]
    assert [r["kind"] for r in failures] == ["firing"]
    assert failures[0]["link"].endswith(f"/runs/{result.run_id}")
    # the next successful run closes the incident with a recovery message
    reconciliation_alerts(
        build_run_status_sensor_context(
            sensor_name="reconciliation_alerts",
            dagster_event=success.dagster_event,
            dagster_instance=instance,
            dagster_run=run,
            resources=sensor_resources,
        )
    )
    recoveries = [
        r
        for r in read_outbox(outbox)
        if r["dedup_key"] == "run:__ephemeral_asset_job__" and r["kind"] == "recovered"
    ]
    assert len(recoveries) == 1
