"""Jobs: the reconciliation cycle (with or without the simulated merchant), the monthly report."""

from dagster import AssetSelection, define_asset_job, in_process_executor

from orchestration.assets.ingest import simulated_merchant
from orchestration.assets.reports import monthly_consistency_report

# dagster.yaml lets one run with this tag at a time: two overlapping cycles could make the
# incremental staging models skip payloads landed by the slower one.
CYCLE_TAG = "ordersight/cycle"

REPORTS = AssetSelection.assets(monthly_consistency_report)
SIMULATOR = AssetSelection.assets(simulated_merchant)

# The demo's job: the simulated merchant lands its payloads, then the cycle.
reconcile = define_asset_job(
    name="reconcile",
    selection=AssetSelection.all() - REPORTS,
    executor_def=in_process_executor,
    tags={CYCLE_TAG: "reconcile"},
    description="Simulate the merchant and land its payloads, allocate unified keys, build "
    "staging → intermediate → marts (reconciliation diffs, windows, board), and run every check.",
)

# What the 30-minute schedule and `ordersight cycle` run, on whatever has landed (imports,
# earlier landings); never the simulator, which would refuse a warehouse holding real data.
cycle = define_asset_job(
    name="cycle",
    selection=AssetSelection.all() - REPORTS - SIMULATOR,
    executor_def=in_process_executor,
    tags={CYCLE_TAG: "reconcile"},
    description="Allocate unified keys for what has landed, build staging → intermediate → marts "
    "(reconciliation diffs, windows, board), and run every check.",
)

monthly_report = define_asset_job(
    name="monthly_report",
    selection=REPORTS,
    executor_def=in_process_executor,
    description="The cross-platform consistency report for one month.",
)
