"""Jobs: the whole pipeline from the (simulated) sources to the marts."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

ingest_and_build = define_asset_job(
    name="ingest_and_build",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="Land the sources, allocate unified keys, build staging → intermediate → marts.",
)
