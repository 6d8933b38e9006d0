"""Schedules: the reconciliation cycle every 30 minutes; the previous month's report from the 1st
(done before the 5th: the schedule ticks on days 1–4 and skips once the month has been reported)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dagster import (
    AssetRecordsFilter,
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SkipReason,
    schedule,
)

from domain.china_time import CHINA_TZ_NAME
from orchestration.assets.reports import MONTHLY_REPORT_KEY, monthly_partitions
from orchestration.jobs import cycle, monthly_report

every_30_minutes = ScheduleDefinition(
    name="reconcile_every_30_minutes",
    job=cycle,
    cron_schedule="*/30 * * * *",
    execution_timezone=CHINA_TZ_NAME,
    default_status=DefaultScheduleStatus.STOPPED,
)


def month_to_report(tick: datetime) -> str:
    """Partition key of the month before the tick's China-time month: '2026-10-01' in November."""
    first_of_this_month = tick.astimezone(ZoneInfo(CHINA_TZ_NAME)).date().replace(day=1)
    return (first_of_this_month - timedelta(days=1)).replace(day=1).isoformat()


@schedule(
    name="monthly_report_on_the_first",
    job=monthly_report,
    cron_schedule="0 6 1-4 * *",
    execution_timezone=CHINA_TZ_NAME,
    default_status=DefaultScheduleStatus.STOPPED,
    description="The previous month's consistency report at 06:00 China time on the 1st; ticks "
    "again on the 2nd–4th only if that month has no report yet, so it is done before the 5th.",
)
def monthly_on_the_first(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
    month = month_to_report(context.scheduled_execution_time)
    if month not in monthly_partitions.get_partition_keys(
        current_time=context.scheduled_execution_time
    ):
        return SkipReason(f"{month[:7]} is outside the report's partitions")
    reported = context.instance.fetch_materializations(
        AssetRecordsFilter(asset_key=MONTHLY_REPORT_KEY, asset_partitions=[month]), limit=1
    )
    if reported.records:
        return SkipReason(f"the {month[:7]} report is already written")
    return RunRequest(run_key=f"monthly-report-{month}", partition_key=month)
