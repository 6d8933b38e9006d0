"""The code location's shape: asset keys by layer, jobs, schedules, sensors, and pure helpers."""

from __future__ import annotations

from datetime import date

from orchestration.assets.ingest import MerchantConfig
from orchestration.dbt_translator import node_layer
from orchestration.definitions import defs
from orchestration.layers import LAYERS, layer_key
from ordersight.cli import months_touched
from ordersight.database import dbt_env, sqlalchemy_url

EXPECTED_ASSETS = {
    "raw": {"taobao_trades", "jd_orders", "pdd_orders", "wechat_orders", "u8_sales_orders",
            "ledger_entries"},
    "sim": {"orders", "faults"},
    "seeds": {"status_map", "refund_status_map"},
    "staging": {
        "stg_taobao__trade_versions", "stg_taobao__trades", "stg_jd__order_versions",
        "stg_jd__orders", "stg_pdd__order_versions", "stg_pdd__orders",
        "stg_wechat__order_versions", "stg_wechat__orders", "stg_u8__sales_order_versions",
        "stg_u8__sales_orders", "stg_ledger__entry_versions", "stg_ledger__entries",
    },
    "keys": {"order_keys"},
    "intermediate": {"int_orders__unified", "int_payloads__quarantined",
                     "int_reconciliation__diffs", "int_reconciliation__board_items"},
    "snapshots": {"snap_reconciliation_board"},
    "marts": {"fct_orders", "fct_order_state_history", "fct_reconciliation_diffs",
              "fct_reconciliation_windows", "fct_reconciliation_board",
              "fct_reconciliation_board_history", "fct_order_field_presence"},
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
    assert {"drift_within_threshold", "completeness_tb", "completeness_jd", "completeness_pdd",
            "completeness_wx"} <= names
    assert "assert_every_native_status_is_mapped" in names
    assert "assert_no_payload_is_quarantined" in names
    assert "unique_fct_orders_unified_key" in names


def test_jobs_schedules_and_sensors() -> None:
    jobs = {job.name for job in defs.resolve_all_job_defs()}
    assert {"reconcile", "monthly_report"} <= jobs
    schedules = {s.name: defs.resolve_schedule_def(s.name) for s in defs.schedules}
    assert schedules["reconcile_every_30_minutes"].cron_schedule == "*/30 * * * *"
    monthly = schedules["monthly_report_on_the_first"]
    assert monthly.cron_schedule.split()[2] == "1", "runs on the 1st of the month"
    assert monthly.job.name == "monthly_report"
    assert {s.name for s in defs.sensors} == {"reconciliation_alerts", "run_failure_alerts"}


def test_layer_rule_for_dbt_nodes() -> None:
    assert node_layer({"resource_type": "source", "source_name": "raw"}) == "raw"
    assert node_layer({"resource_type": "model", "config": {"schema": "marts"}}) == "marts"
    assert set(EXPECTED_ASSETS) <= set(LAYERS)


def test_dbt_env_and_sqlalchemy_url_come_from_one_url() -> None:
    url = "postgresql://fin:p%40ss@db.example:6543/warehouse"
    assert dbt_env(url) == {
        "ORDERSIGHT_PGHOST": "db.example",
        "ORDERSIGHT_PGPORT": "6543",
        "ORDERSIGHT_PGUSER": "fin",
        "ORDERSIGHT_PGPASSWORD": "p%40ss",
        "ORDERSIGHT_PGDATABASE": "warehouse",
    }
    assert sqlalchemy_url(url) == "postgresql+psycopg://fin:p%40ss@db.example:6543/warehouse"


def test_same_simulation_lands_once_different_one_again() -> None:
    assert MerchantConfig().batch_label() == MerchantConfig().batch_label()
    assert MerchantConfig(seed=8).batch_label() != MerchantConfig().batch_label()


def test_demo_reports_every_month_the_simulation_touches() -> None:
    assert months_touched("2026-10-01", 30) == ["2026-10-01"]
    assert months_touched("2026-10-15", 30) == ["2026-10-01", "2026-11-01"]
    assert date.fromisoformat(months_touched("2026-12-20", 20)[-1]) == date(2027, 1, 1)
