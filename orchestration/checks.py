"""Great Expectations suites (expectations/) run as Dagster asset checks on the marts."""

from dataclasses import replace
from datetime import timedelta

from dagster import (
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    Config,
    MetadataValue,
    asset_check,
)
from pydantic import Field

from alerts.diff_file import write_diff_csv
from domain.rules import (
    DRIFT_LOOKBACK,
    DRIFT_SETTLE,
    DRIFT_THRESHOLD,
    REQUIRED_FIELD_SHARE,
    as_percent,
)
from domain.sources import PLATFORM_CODES
from expectations import check_completeness, check_drift
from expectations.outcome import CheckOutcome
from orchestration.layers import layer_key
from orchestration.resources import AlertChannelsResource, WarehouseResource

#: The metadata entry that carries the whole outcome, read back by orchestration.alerting.
OUTCOME_KEY = "outcome"


def _result(outcome: CheckOutcome) -> AssetCheckResult:
    metadata = {
        "summary": MetadataValue.md(outcome.summary),
        "ran": outcome.ran,
        OUTCOME_KEY: MetadataValue.json(outcome.to_dict()),
    }
    if outcome.diff_file:
        metadata["diff_file"] = MetadataValue.path(outcome.diff_file)
    return AssetCheckResult(
        passed=outcome.passed, severity=AssetCheckSeverity.ERROR, metadata=metadata
    )


def outcome_of(metadata: dict[str, object]) -> CheckOutcome | None:
    """The outcome an evaluation of one of these checks carries (None for other checks)."""
    entry = metadata.get(OUTCOME_KEY)
    data = getattr(entry, "value", entry)
    return CheckOutcome.from_dict(data) if isinstance(data, dict) else None


class DriftCheckConfig(Config):
    """Which windows the drift check judges."""

    lookback_hours: int = Field(
        int(DRIFT_LOOKBACK.total_seconds() // 3600),
        gt=0,
        description="Check the windows of this many hours "
        "before the settled edge; older drift is history, not news.",
    )
    settle_minutes: int = Field(
        int(DRIFT_SETTLE.total_seconds() // 60),
        ge=0,
        description="Leave out the newest windows, this "
        "many minutes back from the latest one: the ERP and the "
        "ledger book orders up to this long after payment.",
    )


@asset_check(
    asset=layer_key("marts", "fct_reconciliation_windows"),
    name="drift_within_threshold",
    description="Every source system's paid-success count and amount is within "
    f"{as_percent(DRIFT_THRESHOLD)} of the store's in every settled 30-minute window of the "
    "last day (Great Expectations).",
)
def drift_within_threshold(
    config: DriftCheckConfig, warehouse: WarehouseResource, alert_channels: AlertChannelsResource
) -> AssetCheckResult:
    outcome = check_drift(
        warehouse.database_url,
        lookback=timedelta(hours=config.lookback_hours),
        settle=timedelta(minutes=config.settle_minutes),
    )
    if outcome.passed or not outcome.ran:
        return _result(outcome)
    with warehouse.connect() as conn:
        diff_file = write_diff_csv(conn, alert_channels.diff_dir(), label="reconciliation-diff")
    return _result(replace(outcome, diff_file=str(diff_file)))


class CompletenessCheckConfig(Config):
    """How complete a platform's orders must be."""

    required_share: float = Field(
        REQUIRED_FIELD_SHARE,
        ge=0,
        le=1,
        description="Share of orders that must carry each required field "
        f"({REQUIRED_FIELD_SHARE:g} = {as_percent(REQUIRED_FIELD_SHARE)}).",
    )


def completeness_check(platform: str) -> AssetChecksDefinition:
    @asset_check(
        asset=layer_key("marts", "fct_order_field_presence"),
        name=f"completeness_{platform.lower()}",
        description=f"{platform}: required fields present in ≥ {as_percent(REQUIRED_FIELD_SHARE)} "
        "of orders (configurable), "
        "unified keys well formed, states standard, every native status mapped "
        "(Great Expectations).",
    )
    def _check(config: CompletenessCheckConfig, warehouse: WarehouseResource) -> AssetCheckResult:
        return _result(
            check_completeness(
                warehouse.database_url, platform, required_share=config.required_share
            )
        )

    return _check


ge_checks = [drift_within_threshold, *(completeness_check(p) for p in PLATFORM_CODES)]
