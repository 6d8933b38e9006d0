"""Sensors: alert on check results and board escalations after each run, and on failed runs."""

from dagster import (
    DagsterRunStatus,
    RunFailureSensorContext,
    RunStatusSensorContext,
    run_failure_sensor,
    run_status_sensor,
)

from orchestration.alerting import alert_after_run, alert_on_failure
from orchestration.jobs import cycle, monthly_report, reconcile
from orchestration.resources import AlertChannelsResource, WarehouseResource


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[reconcile, cycle, monthly_report],
    name="reconciliation_alerts",
    minimum_interval_seconds=30,
    description="After each run: one message per check that starts failing, one when it "
    "recovers, and one for board items red for over 2 hours (escalated to IT).",
)
def reconciliation_alerts(
    context: RunStatusSensorContext,
    warehouse: WarehouseResource,
    alert_channels: AlertChannelsResource,
) -> None:
    run = context.dagster_run
    alerts = alert_after_run(context.instance, run.run_id, run.job_name, warehouse, alert_channels)
    context.log.info(f"run {run.run_id}: {len(alerts)} alert(s) sent")


@run_failure_sensor(
    monitored_jobs=[reconcile, cycle, monthly_report],
    name="run_failure_alerts",
    minimum_interval_seconds=30,
    description="One message per failing job (not per retry), and a recovery message later.",
)
def run_failure_alerts(
    context: RunFailureSensorContext,
    warehouse: WarehouseResource,
    alert_channels: AlertChannelsResource,
) -> None:
    run = context.dagster_run
    if run.tags.get("dagster/will_retry") == "true":
        return
    message = context.failure_event.message or "the run failed"
    alert_on_failure(run.job_name, run.run_id, message, warehouse, alert_channels)
