"""Schedules: reconcile every 30 minutes; the monthly report on the 1st (done before the 5th)."""

from dagster import DefaultScheduleStatus, ScheduleDefinition, build_schedule_from_partitioned_job

from orchestration.jobs import monthly_report, reconcile

every_30_minutes = ScheduleDefinition(
    name="reconcile_every_30_minutes",
    job=reconcile,
    cron_schedule="*/30 * * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.STOPPED,
)

monthly_on_the_first = build_schedule_from_partitioned_job(
    monthly_report,
    name="monthly_report_on_the_first",
    day_of_month=1,
    hour_of_day=6,
    default_status=DefaultScheduleStatus.STOPPED,
)
