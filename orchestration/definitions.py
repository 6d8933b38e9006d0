"""The one Definitions object of the ordersight code location."""

from __future__ import annotations

from dagster import Definitions, EnvVar
from dagster_dbt import DbtCliResource

from orchestration.assets.dbt import dbt_project, dbt_staging, dbt_warehouse
from orchestration.assets.ingest import simulated_merchant
from orchestration.assets.keys import order_keys
from orchestration.jobs import ingest_and_build
from orchestration.resources import WarehouseResource
from ordersight.dbt_cli import dbt_executable

defs = Definitions(
    assets=[simulated_merchant, dbt_staging, order_keys, dbt_warehouse],
    jobs=[ingest_and_build],
    resources={
        "warehouse": WarehouseResource(database_url=EnvVar("ORDERSIGHT_DATABASE_URL")),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    },
)
