"""dbt models as assets, in two parts around the unified-key asset:
seeds + staging (which the key allocation reads), then intermediate + marts (which join the keys).
"""


from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from orchestration.dbt_translator import LayerTranslator
from orchestration.resources import WarehouseResource
from ordersight.paths import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()

BEFORE_KEYS = "path:seeds path:models/staging"
TRANSLATOR = LayerTranslator()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select=BEFORE_KEYS,
    dagster_dbt_translator=TRANSLATOR,
    name="dbt_staging",
)
def dbt_staging(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    with warehouse.dbt_environment():
        yield from dbt.cli(["build"], context=context).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    exclude=BEFORE_KEYS,
    dagster_dbt_translator=TRANSLATOR,
    name="dbt_warehouse",
)
def dbt_warehouse(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    with warehouse.dbt_environment():
        yield from dbt.cli(["build"], context=context).stream()
