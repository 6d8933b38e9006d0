"""Great Expectations suites (expectations/) run as Dagster asset checks on the marts."""

from dagster import (
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    MetadataValue,
    asset_check,
)

from expectations import check_completeness, check_drift
from expectations.outcome import CheckOutcome
from orchestration.layers import layer_key
from orchestration.resources import AlertChannelsResource, WarehouseResource
from ordersight.alerts.diff_file import write_diff_csv

COMPLETENESS_PLATFORMS = ("TB", "JD", "PDD", "WX")


def _result(outcome: CheckOutcome, **extra: object) -> AssetCheckResult:
    metadata = {
        "summary": MetadataValue.md(outcome.summary),
        "ran": outcome.ran,
        "details": MetadataValue.json(outcome.metadata),
        **extra,
    }
    return AssetCheckResult(
        passed=outcome.passed, severity=AssetCheckSeverity.ERROR, metadata=metadata
    )


@asset_check(
    asset=layer_key("marts", "fct_reconciliation_windows"),
    name="drift_within_threshold",
    description="Every source system's paid-success count and amount is within 0.3 % of the "
    "store's in every 30-minute window (Great Expectations).",
)
def drift_within_threshold(
    warehouse: WarehouseResource, alert_channels: AlertChannelsResource
) -> AssetCheckResult:
    outcome = check_drift(warehouse.database_url)
    if outcome.passed or not outcome.ran:
        return _result(outcome)
    with warehouse.connect() as conn:
        diff_file = write_diff_csv(conn, alert_channels.diff_dir(), label="reconciliation-diff")
    return _result(outcome, diff_file=MetadataValue.path(str(diff_file)))


def completeness_check(platform: str) -> AssetChecksDefinition:
    @asset_check(
        asset=layer_key("marts", "fct_order_field_presence"),
        name=f"completeness_{platform.lower()}",
        description=f"{platform}: required fields present in ≥ 99.7 % of orders, unified keys "
        "well formed, states standard, every native status mapped (Great Expectations).",
    )
    def _check(warehouse: WarehouseResource) -> AssetCheckResult:
        return _result(check_completeness(warehouse.database_url, platform))

    return _check


ge_checks = [drift_within_threshold, *(completeness_check(p) for p in COMPLETENESS_PLATFORMS)]
