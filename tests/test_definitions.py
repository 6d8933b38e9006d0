"""The code location's shape: asset keys by layer, jobs, schedules, sensors, and pure helpers."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from dagster import (
    AssetKey,
    AssetMaterialization,
    RunRequest,
    SkipReason,
    build_schedule_context,
    instance_for_test,
)

from domain.dbt_vars import dbt_vars_args
from domain.rules import DRIFT_THRESHOLD
from orchestration.assets.dbt import DbtBuildConfig, dbt_build_args
from orchestration.assets.ingest import MerchantConfig, simulated_merchant
from orchestration.assets.reports import MONTHLY_REPORT_KEY
from orchestration.dbt_translator import node_layer
from orchestration.definitions import defs
from orchestration.layers import LAYERS, layer_key
from orchestration.schedules import month_to_report, monthly_on_the_first
from ordersight.cli import months_touched
from plumbing.database import dbt_env, sqlalchemy_url

CHINA = ZoneInfo("Asia/Shanghai")

EXPECTED_ASSETS = {
    "raw": {
        "taobao_trades",
        "jd_orders",
        "pdd_orders",
        "wechat_orders",
        "u8_sales_orders",
        "ledger_entries",
        "taobao_refunds",
        "jd_refunds",
        "pdd_refunds",
        "wechat_refunds",
        "rejected_payloads",
        "api_taobao_orders",
        "api_jd_orders",
        "api_pdd_orders",
        "api_wechat_orders",
        "api_u8_orders",
        "api_taobao_refunds",
        "api_jd_refunds",
        "api_pdd_refunds",
        "api_wechat_refunds",
        "payload_fields",
    },
    "sim": {"orders", "faults"},
    "seeds": {"status_map", "refund_status_map"},
    "staging": {
        "stg_taobao__trade_versions",
        "stg_taobao__trades",
        "stg_jd__order_versions",
        "stg_jd__orders",
        "stg_pdd__order_versions",
        "stg_pdd__orders",
        "stg_wechat__order_versions",
        "stg_wechat__orders",
        "stg_u8__sales_order_versions",
        "stg_u8__sales_orders",
        "stg_ledger__entry_versions",
        "stg_ledger__entries",
        "stg_taobao__refund_versions",
        "stg_taobao__refunds",
        "stg_jd__refund_versions",
        "stg_jd__refunds",
        "stg_pdd__refund_versions",
        "stg_pdd__refunds",
        "stg_wechat__refund_versions",
        "stg_wechat__refunds",
    },
    "keys": {"order_keys"},
    "intermediate": {
        "int_orders__unified",
        "int_payloads__quarantined",
        "int_refunds__by_order",
        "int_reconciliation__diffs",
        "int_reconciliation__board_items",
    },
    "snapshots": {"snap_reconciliation_board"},
    "marts": {
        "fct_orders",
        "fct_order_state_history",
        "fct_reconciliation_diffs",
        "fct_reconciliation_windows",
        "fct_reconciliation_board",
        "fct_reconciliation_board_history",
        "fct_order_field_presence",
    },
    "reports": {"monthly_consistency_report"},
}


def test_asset_keys_snapshot_and_group_equals_layer() -> None:
    graph = defs.resolve_asset_graph()
    found: dict[str, set[str]] = {}
    for key in graph.get_all_asset_keys():
        layer, name = key.path
        found.setdefault(layer, set()).add(name)
        assert graph.get(key).group_name == layer, key
    assert found == EXPECTED_ASSETS


def test_keys_sit_between_staging_and_the_warehouse_models() -> None:
    graph = defs.resolve_asset_graph()
    keys = graph.get(layer_key("keys", "order_keys"))
    assert layer_key("staging", "stg_pdd__orders") in keys.parent_keys
    unified = graph.get(layer_key("intermediate", "int_orders__unified"))
    assert layer_key("keys", "order_keys") in unified.parent_keys


def test_checks_include_dbt_tests_and_great_expectations() -> None:
    names = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert {
        "drift_within_threshold",
        "completeness_tb",
        "completeness_jd",
        "completeness_pdd",
        "completeness_wx",
    } <= names
    assert "assert_every_native_status_is_mapped" in names
    assert "assert_no_payload_is_quarantined" in names
    assert "unique_fct_orders_unified_key" in names


def test_jobs_schedules_and_sensors() -> None:
    jobs = {job.name for job in defs.resolve_all_job_defs()}
    assert {"reconcile", "cycle", "monthly_report"} <= jobs
    schedules = {s.name: defs.resolve_schedule_def(s.name) for s in defs.schedules}
    assert schedules["reconcile_every_30_minutes"].cron_schedule == "*/30 * * * *"
    assert schedules["reconcile_every_30_minutes"].job.name == "cycle"
    monthly = schedules["monthly_report_on_the_first"]
    assert monthly.cron_schedule.split()[2] == "1-4", "runs from the 1st, done before the 5th"
    assert monthly.job.name == "monthly_report"
    assert {s.name for s in defs.sensors} == {
        "reconciliation_alerts",
        "run_failure_alerts",
        "drop_folder_imports",
    }


def test_each_platform_pull_runs_before_the_staging_models_reading_its_table() -> None:
    graph = defs.resolve_asset_graph()
    versions = graph.get(layer_key("staging", "stg_taobao__trade_versions"))
    assert layer_key("raw", "api_taobao_orders") in versions.parent_keys
    assert layer_key("raw", "api_jd_orders") not in versions.parent_keys
    refunds = graph.get(layer_key("staging", "stg_jd__refund_versions"))
    assert layer_key("raw", "api_jd_refunds") in refunds.parent_keys
    cycle = defs.resolve_job_def("cycle").asset_layer.executable_asset_keys
    pulls = {
        layer_key("raw", f"api_{p}_{entity}")
        for p in ("taobao", "jd", "pdd", "wechat")
        for entity in ("orders", "refunds")
    }
    assert pulls <= cycle


def test_layer_rule_for_dbt_nodes() -> None:
    assert node_layer({"resource_type": "source", "source_name": "raw"}) == "raw"
    assert node_layer({"resource_type": "model", "config": {"schema": "marts"}}) == "marts"
    assert set(EXPECTED_ASSETS) <= set(LAYERS)


def test_dbt_env_and_sqlalchemy_url_come_from_one_url() -> None:
    url = "postgresql://fin:p%40ss@db.example:6543/warehouse?sslmode=require"
    assert dbt_env(url) == {
        "ORDERSIGHT_PGHOST": "db.example",
        "ORDERSIGHT_PGPORT": "6543",
        "ORDERSIGHT_PGUSER": "fin",
        "ORDERSIGHT_PGPASSWORD": "p@ss",
        "ORDERSIGHT_PGDATABASE": "warehouse",
        "ORDERSIGHT_PGSSLMODE": "require",
    }
    assert sqlalchemy_url(url) == (
        "postgresql+psycopg://fin:p%40ss@db.example:6543/warehouse?sslmode=require"
    )


def test_dbt_env_follows_a_unix_socket_given_as_query_option() -> None:
    env = dbt_env("postgresql://postgres:@/ordersight?host=/run/pg")
    assert (env["ORDERSIGHT_PGHOST"], env["ORDERSIGHT_PGPORT"]) == ("/run/pg", "5432")
    assert (env["ORDERSIGHT_PGUSER"], env["ORDERSIGHT_PGDATABASE"]) == ("postgres", "ordersight")


def test_same_simulation_lands_once_different_one_again() -> None:
    assert MerchantConfig().batch_label() == MerchantConfig().batch_label()
    assert MerchantConfig(seed=8).batch_label() != MerchantConfig().batch_label()


def test_demo_reports_every_month_the_simulation_touches() -> None:
    assert months_touched("2026-10-01", 30) == ["2026-10-01"]
    assert months_touched("2026-10-15", 30) == ["2026-10-01", "2026-11-01"]
    assert date.fromisoformat(months_touched("2026-12-20", 20)[-1]) == date(2027, 1, 1)


def test_monthly_schedule_reports_the_previous_month_once() -> None:
    with instance_for_test() as instance:
        first_of_november = datetime(2026, 11, 1, 6, tzinfo=CHINA)
        request = monthly_on_the_first(
            build_schedule_context(instance=instance, scheduled_execution_time=first_of_november)
        )
        assert isinstance(request, RunRequest)
        assert request.partition_key == "2026-10-01"

        instance.report_runless_asset_event(
            AssetMaterialization(asset_key=MONTHLY_REPORT_KEY, partition="2026-10-01")
        )
        second = monthly_on_the_first(
            build_schedule_context(
                instance=instance, scheduled_execution_time=datetime(2026, 11, 2, 6, tzinfo=CHINA)
            )
        )
    assert isinstance(second, SkipReason)
    assert "already written" in (second.skip_message or "")


def test_month_to_report_crosses_the_year_in_china_time() -> None:
    assert month_to_report(datetime(2027, 1, 1, 6, tzinfo=CHINA)) == "2026-12-01"
    # 2026-10-31 17:00 UTC is already 1 November in China
    assert month_to_report(datetime(2026, 10, 31, 17, tzinfo=UTC)) == "2026-10-01"


def test_dbt_build_args() -> None:
    vars_args = dbt_vars_args()
    assert vars_args[0] == "--vars"
    assert json.loads(vars_args[1])["drift_threshold"] == DRIFT_THRESHOLD
    assert dbt_build_args(DbtBuildConfig()) == ["build", *vars_args]
    assert dbt_build_args(DbtBuildConfig(full_refresh=True)) == [
        "build",
        "--full-refresh",
        *vars_args,
    ]


def test_the_cycle_is_the_demo_job_without_the_simulator() -> None:
    demo = defs.resolve_job_def("reconcile").asset_layer.executable_asset_keys
    cycle = defs.resolve_job_def("cycle").asset_layer.executable_asset_keys
    fields = AssetKey(["raw", "payload_fields"])
    simulated = set(simulated_merchant.keys)
    assert simulated, "the demo job lands the simulated merchant"
    assert fields in cycle, "the cycle reports new fields of whatever landed"
    assert cycle == demo - simulated
    assert AssetKey(["marts", "fct_reconciliation_board"]) in cycle
