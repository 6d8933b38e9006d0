"""dbt models as assets, in two parts around the unified-key asset:
seeds + staging (which the key allocation reads), then intermediate + marts (which join the keys).
"""

from dagster import AssetExecutionContext, Config
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets
from pydantic import Field

from orchestration.dbt_translator import LayerTranslator
from orchestration.resources import WarehouseResource
from ordersight.paths import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()

BEFORE_KEYS = "path:seeds path:models/staging"
TRANSLATOR = LayerTranslator()


class DbtBuildConfig(Config):
    """How to run `dbt build` for these models."""

    full_refresh: bool = Field(
        False,
        description="Rebuild incremental models from all of raw, e.g. after an existing "
        "row of the status_map seed changed (new rows apply without it).",
    )


def dbt_build_args(config: DbtBuildConfig) -> list[str]:
    """The dbt command line for one build."""
    return ["build", "--full-refresh"] if config.full_refresh else ["build"]


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select=BEFORE_KEYS,
    dagster_dbt_translator=TRANSLATOR,
    name="dbt_staging",
)
def dbt_staging(
    context: AssetExecutionContext,
    config: DbtBuildConfig,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
):
    with warehouse.dbt_environment():
        yield from dbt.cli(dbt_build_args(config), context=context).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    exclude=BEFORE_KEYS,
    dagster_dbt_translator=TRANSLATOR,
    name="dbt_warehouse",
)
def dbt_warehouse(
    context: AssetExecutionContext,
    config: DbtBuildConfig,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
):
    with warehouse.dbt_environment():
        yield from dbt.cli(dbt_build_args(config), context=context).stream()
