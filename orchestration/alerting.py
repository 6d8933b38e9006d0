"""Turns what a run saw (asset-check evaluations, its own status) into incidents and alerts.

Used by the sensors and by `ordersight demo`, so both send exactly the same messages.
"""

from collections.abc import Callable, Iterable
from pathlib import Path

from dagster import AssetCheckEvaluation, DagsterEventType, DagsterInstance

from alerts import Alert, DeliveryResult, dispatch
from alerts.incidents import IncidentState, escalation_alerts, incident_alerts
from orchestration.checks import outcome_of
from orchestration.resources import AlertChannelsResource, WarehouseResource


def check_states(
    evaluations: Iterable[AssetCheckEvaluation],
    *,
    link: str | None,
    diff_link: Callable[[Path], str | None] | None = None,
) -> list[IncidentState]:
    """One incident state per check evaluated in a run (the last evaluation of each wins)."""
    latest: dict[str, AssetCheckEvaluation] = {}
    for evaluation in evaluations:
        asset = evaluation.asset_key.to_user_string()
        latest[f"check:{asset}:{evaluation.check_name}"] = evaluation
    states = []
    for key, evaluation in latest.items():
        outcome = outcome_of(dict(evaluation.metadata))
        title = f"{evaluation.check_name} on {evaluation.asset_key.to_user_string()}"
        diff_file = Path(outcome.diff_file) if outcome and outcome.diff_file else None
        states.append(
            IncidentState(
                dedup_key=key,
                healthy=evaluation.passed,
                title=title,
                summary=outcome.summary if outcome else f"check {evaluation.check_name} failed",
                severity="warning" if evaluation.severity.value == "WARN" else "critical",
                figures=outcome.figures if outcome else (),
                rows=outcome.rows if outcome else (),
                total_rows=outcome.total_rows if outcome else 0,
                diff_file=diff_file,
                diff_url=diff_link(diff_file) if diff_link and diff_file else None,
                link=link,
            )
        )
    return states


def run_check_evaluations(instance: DagsterInstance, run_id: str) -> list[AssetCheckEvaluation]:
    records = instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
    return [
        record.dagster_event.asset_check_evaluation_data
        for record in records
        if record.dagster_event is not None
    ]


def alert_after_run(
    instance: DagsterInstance,
    run_id: str,
    job_name: str,
    warehouse: WarehouseResource,
    channels: AlertChannelsResource,
) -> list[Alert]:
    """After a successful run: alert on checks that started or stopped failing, on a job that
    recovered, and on board items newly escalated to IT. Returns the alerts sent."""
    link = channels.run_link(run_id)
    states = check_states(
        run_check_evaluations(instance, run_id), link=link, diff_link=channels.diff_link
    )
    states.append(
        IncidentState(
            dedup_key=f"run:{job_name}", healthy=True, title=f"job {job_name} failed", link=link
        )
    )
    with warehouse.connect() as conn:
        alerts = incident_alerts(conn, states) + escalation_alerts(conn, link=link)
    _send_all(alerts, channels)
    return alerts


def alert_on_failure(
    job_name: str,
    run_id: str,
    message: str,
    warehouse: WarehouseResource,
    channels: AlertChannelsResource,
) -> list[Alert]:
    """A failed run: one message per failing job until it succeeds again."""
    state = IncidentState(
        dedup_key=f"run:{job_name}",
        healthy=False,
        title=f"job {job_name} failed",
        summary=message[:2000],
        link=channels.run_link(run_id),
    )
    with warehouse.connect() as conn:
        alerts = incident_alerts(conn, [state])
    _send_all(alerts, channels)
    return alerts


def _send_all(alerts: list[Alert], channels: AlertChannelsResource) -> list[DeliveryResult]:
    senders = channels.senders()
    results: list[DeliveryResult] = []
    for alert in alerts:
        results.extend(dispatch(alert, senders, channels.outbox()))
    return results
