"""Running a job of the code location from the CLI, as the schedule would, then its alerts;
and `ordersight cycle`: one reconciliation cycle now, on whatever has landed."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

import psycopg

from ordersight.environment import prepare_environment, say
from plumbing.settings import output_dir


def run_with_alerts(job_name: str, url: str, **execute: Any) -> bool:
    """Run `job_name` in process on the instance, then raise the alerts the sensors would."""
    from dagster import DagsterInstance

    from orchestration.alerting import alert_after_run
    from orchestration.definitions import defs
    from orchestration.resources import AlertChannelsResource, WarehouseResource

    channels = AlertChannelsResource()
    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=instance, raise_on_error=False, **execute
        )
        if not result.success:
            say(f"the run failed (run id {result.run_id}); see the log above or `ordersight dev`")
            return False
        warehouse = WarehouseResource(database_url=url)
        alerts = alert_after_run(instance, result.run_id, job_name, warehouse, channels)
    say(f"{len(alerts)} alert(s) raised; outbox: {channels.outbox()}")
    return True


def print_summary(url: str) -> None:
    """Print the warehouse summary and keep it in the output folder (text and JSON)."""
    from reports.summary import collect, render

    with psycopg.connect(url) as conn:
        summary = collect(conn)
    text = render(summary)
    print(text, flush=True)
    out = output_dir()
    (out / "summary.txt").write_text(text + "\n")
    (out / "summary.json").write_text(json.dumps(asdict(summary), indent=2, default=str))
    say(f"summary written to {out / 'summary.txt'}")


def cmd_cycle(args: argparse.Namespace) -> int:
    url = prepare_environment()
    say("running one reconciliation cycle (keys, dbt, checks, alerts) on what has landed")
    loggers = {"console": {"config": {"log_level": args.log_level}}}
    if not run_with_alerts("cycle", url, run_config={"loggers": loggers}):
        return 1
    print_summary(url)
    return 0
