"""dbt models as assets, in two parts around the unified-key asset:
seeds + staging (which the key allocation reads), then intermediate + marts (which join the keys).
"""

from dagster import AssetExecutionContext, AssetsDefinition, Config
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets
from pydantic import Field

from domain.dbt_vars import dbt_vars_args
from orchestration.dbt_translator import LayerTranslator
from orchestration.resources import WarehouseResource
from plumbing.paths import DBT_PROJECT_DIR
from plumbing.settings import dbt_var_overrides

dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    prepare_project_cli_args=["parse", "--quiet", *dbt_vars_args(dbt_var_overrides())],
)
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
    """The dbt command line for one build, with the registry's vars and the deployment's."""
    full_refresh = ["--full-refresh"] if config.full_refresh else []
    return ["build", *full_refresh, *dbt_vars_args(dbt_var_overrides())]


def _dbt_part(name: str, **selection: str) -> AssetsDefinition:
    """One `dbt build` over a part of the project (``select=`` or ``exclude=``)."""

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        dagster_dbt_translator=TRANSLATOR,
        name=name,
        **selection,
    )
    def _build(
        context: AssetExecutionContext,
        config: DbtBuildConfig,
        dbt: DbtCliResource,
        warehouse: WarehouseResource,
    ):
        with warehouse.dbt_environment():
            yield from dbt.cli(dbt_build_args(config), context=context).stream()

    return _build


dbt_staging = _dbt_part("dbt_staging", select=BEFORE_KEYS)
dbt_warehouse = _dbt_part("dbt_warehouse", exclude=BEFORE_KEYS)
