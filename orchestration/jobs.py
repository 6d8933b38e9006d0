"""Jobs: the 30-minute reconciliation cycle, and the monthly consistency report."""

from dagster import AssetSelection, define_asset_job, in_process_executor

from orchestration.assets.reports import monthly_consistency_report

# dagster.yaml lets one run with this tag at a time: two overlapping cycles could make the
# incremental staging models skip payloads landed by the slower one.
CYCLE_TAG = "ordersight/cycle"

REPORTS = AssetSelection.assets(monthly_consistency_report)

reconcile = define_asset_job(
    name="reconcile",
    selection=AssetSelection.all() - REPORTS,
    executor_def=in_process_executor,
    tags={CYCLE_TAG: "reconcile"},
    description="Land new payloads, allocate unified keys, build staging → intermediate → marts "
    "(reconciliation diffs, windows, board), and run every check.",
)

monthly_report = define_asset_job(
    name="monthly_report",
    selection=REPORTS,
    executor_def=in_process_executor,
    description="The cross-platform consistency report for one month.",
)
