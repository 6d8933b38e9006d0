"""The one Definitions object of the ordersight code location."""

from dagster import Definitions, EnvVar
from dagster_dbt import DbtCliResource

from orchestration.assets.dbt import dbt_project, dbt_staging, dbt_warehouse
from orchestration.assets.ingest import simulated_merchant
from orchestration.assets.keys import order_keys
from orchestration.assets.payload_fields import payload_fields
from orchestration.assets.pulls import PULL_ASSETS
from orchestration.assets.reports import monthly_consistency_report
from orchestration.checks import ge_checks
from orchestration.drop_folder import drop_folder_imports, import_dropped_file
from orchestration.jobs import cycle, monthly_report, reconcile
from orchestration.resources import (
    AlertChannelsResource,
    OutputsResource,
    ShopsResource,
    WarehouseResource,
)
from orchestration.schedules import every_30_minutes, monthly_on_the_first
from orchestration.sensors import reconciliation_alerts, run_failure_alerts
from plumbing.dbt_cli import dbt_executable

defs = Definitions(
    assets=[
        simulated_merchant,
        *PULL_ASSETS,
        payload_fields,
        dbt_staging,
        order_keys,
        dbt_warehouse,
        monthly_consistency_report,
    ],
    asset_checks=ge_checks,
    jobs=[reconcile, cycle, monthly_report, import_dropped_file],
    schedules=[every_30_minutes, monthly_on_the_first],
    sensors=[reconciliation_alerts, run_failure_alerts, drop_folder_imports],
    resources={
        "warehouse": WarehouseResource(database_url=EnvVar("ORDERSIGHT_DATABASE_URL")),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
        "alert_channels": AlertChannelsResource(),
        "outputs": OutputsResource(),
        "shops": ShopsResource(),
    },
)
