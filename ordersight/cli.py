"""The `ordersight` command: demo, dev (Dagster UI), and the private database."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

import psycopg

from ingest.simulate.config import SimulationConfig
from ordersight.dagster_home import prepare_dagster_home
from plumbing.database import database_url, dbt_env, private_server
from plumbing.paths import PROJECT_ROOT, WORKSPACE_FILE, tool
from plumbing.settings import DATABASE_URL_ENV, configured_database_url, output_dir


def _say(message: str) -> None:
    print(f"[ordersight] {message}", flush=True)


def _prepare_environment() -> str:
    """Resolve the warehouse, export what Dagster and dbt read, return the URL."""
    if configured_database_url():
        _say(f"using the database from {DATABASE_URL_ENV}")
    else:
        _say("starting the private Postgres (first start initialises it)")
    url = database_url(start=True)
    os.environ[DATABASE_URL_ENV] = url
    os.environ.update(dbt_env(url))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    prepare_dagster_home()
    return url


def cmd_demo(args: argparse.Namespace) -> int:
    started = time.monotonic()
    url = _prepare_environment()
    from dagster import DagsterInstance

    from orchestration.alerting import alert_after_run
    from orchestration.assets.ingest import MerchantConfig
    from orchestration.definitions import defs
    from orchestration.resources import AlertChannelsResource, WarehouseResource
    from reports.summary import collect, render

    _say(
        f"simulating {args.orders_per_day:,} orders/day for {args.days} days from "
        f"{args.start_date} (seed {args.seed}); materialising every asset through Dagster"
    )
    loggers = {"console": {"config": {"log_level": args.log_level}}}
    run_config = MerchantConfig(
        seed=args.seed,
        orders_per_day=args.orders_per_day,
        days=args.days,
        start_date=args.start_date,
    ).run_config(loggers=loggers)
    warehouse = WarehouseResource(database_url=url)
    channels = AlertChannelsResource()
    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def("reconcile").execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=False
        )
        if not result.success:
            _say(f"the run failed (run id {result.run_id}); see the log above or `ordersight dev`")
            return 1
        alerts = alert_after_run(instance, result.run_id, "reconcile", warehouse, channels)
        _say(f"{len(alerts)} alert(s) raised; outbox: {channels.outbox()}")
        for month in months_touched(args.start_date, args.days):
            _say(f"writing the consistency report for {month[:7]}")
            report = defs.resolve_job_def("monthly_report").execute_in_process(
                partition_key=month,
                instance=instance,
                raise_on_error=False,
                run_config={"loggers": loggers},
            )
            if not report.success:
                _say(f"the monthly report failed (run id {report.run_id})")
                return 1
    with psycopg.connect(url) as conn:
        summary = collect(conn)
    text = render(summary)
    print(text, flush=True)
    out = output_dir()
    (out / "summary.txt").write_text(text + "\n")
    (out / "summary.json").write_text(json.dumps(asdict(summary), indent=2, default=str))
    _say(f"reports in {out / 'reports'}; alerts in {channels.outbox()}")
    _say(f"done in {time.monotonic() - started:.0f} s; summary written to {out / 'summary.txt'}")
    return 0


def months_touched(start: str, days: int) -> list[str]:
    """First days of the months a simulation starting at `start` for `days` days touches."""
    first = date.fromisoformat(start)
    last = first + timedelta(days=days - 1)
    months = []
    cursor = first.replace(day=1)
    while cursor <= last:
        months.append(cursor.isoformat())
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


def cmd_dev(args: argparse.Namespace) -> int:
    _prepare_environment()
    _say("starting the Dagster UI (dagster dev); Ctrl-C stops it")
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    os.chdir(PROJECT_ROOT)
    dagster = tool("dagster")
    os.environ["PATH"] = f"{Path(dagster).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    os.execv(dagster, [dagster, "dev", "-w", str(WORKSPACE_FILE), "--port", str(args.port)])
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    if args.action == "url":
        print(database_url(start=True))
        return 0
    if configured_database_url():
        _say(f"{DATABASE_URL_ENV} is set: the private server is not in use")
        return 0
    server = private_server()
    if args.action == "start":
        print(server.start())
    elif args.action == "stop":
        stopped = server.stop()
        _say("stopped the private Postgres" if stopped else "the private Postgres was not running")
    elif args.action == "status":
        running = server.is_running()
        _say(f"private Postgres {'running at ' + server.display_url() if running else 'stopped'}")
        return 0 if running else 3
    return 0


def add_simulation_arguments(parser: argparse.ArgumentParser) -> None:
    """--orders-per-day, --days, --seed, --start-date, defaulting to ``SimulationConfig``'s."""
    default = SimulationConfig()
    parser.add_argument("--orders-per-day", type=int, default=default.orders_per_day)
    parser.add_argument("--days", type=int, default=default.days)
    parser.add_argument("--seed", type=int, default=default.seed)
    parser.add_argument(
        "--start-date",
        default=default.start_date.isoformat(),
        help="first simulated day (China time)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ordersight", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="simulate a merchant, run every asset, print a summary")
    add_simulation_arguments(demo)
    demo.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    demo.set_defaults(func=cmd_demo)

    dev = sub.add_parser("dev", help="start the Dagster UI against the warehouse")
    dev.add_argument("--port", type=int, default=3000)
    dev.set_defaults(func=cmd_dev)

    db = sub.add_parser("db", help="the warehouse database")
    db.add_argument("action", choices=["url", "start", "stop", "status"])
    db.set_defaults(func=cmd_db)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
