"""The `ordersight` command: demo, import, cycle, dev (Dagster UI), serve, the private database."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from domain.sources import ENTITIES
from ingest.simulate.config import SimulationConfig
from ordersight.cycle import cmd_cycle, print_summary, run_with_alerts
from ordersight.environment import prepare_environment, say
from ordersight.importing import cmd_import
from ordersight.serving import add_serve_parser
from plumbing.database import database_url, private_server
from plumbing.paths import PROJECT_ROOT, WORKSPACE_FILE, tool
from plumbing.settings import DATABASE_URL_ENV, configured_database_url, output_dir


def cmd_demo(args: argparse.Namespace) -> int:
    started = time.monotonic()
    url = prepare_environment()
    from orchestration.assets.ingest import MerchantConfig
    from orchestration.definitions import defs

    say(
        f"simulating {args.orders_per_day:,} orders/day for {args.days} days from "
        f"{args.start_date} (seed {args.seed}); materialising every asset through Dagster"
    )
    loggers = {"console": {"config": {"log_level": args.log_level}}}
    run_config = MerchantConfig(
        seed=args.seed,
        orders_per_day=args.orders_per_day,
        days=args.days,
        start_date=args.start_date,
        through_platform_apis=args.through_platform_apis,
    ).run_config(loggers=loggers)
    if not run_with_alerts("reconcile", url, run_config=run_config):
        return 1
    from dagster import DagsterInstance

    with DagsterInstance.get() as instance:
        for month in months_touched(args.start_date, args.days):
            say(f"writing the consistency report for {month[:7]}")
            report = defs.resolve_job_def("monthly_report").execute_in_process(
                partition_key=month,
                instance=instance,
                raise_on_error=False,
                run_config={"loggers": loggers},
            )
            if not report.success:
                say(f"the monthly report failed (run id {report.run_id})")
                return 1
    print_summary(url)
    say(f"reports in {output_dir() / 'reports'}")
    say(f"done in {time.monotonic() - started:.0f} s")
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
    prepare_environment()
    say("starting the Dagster UI (dagster dev); Ctrl-C stops it")
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
        say(f"{DATABASE_URL_ENV} is set: the private server is not in use")
        return 0
    server = private_server()
    if args.action == "start":
        print(server.start())
    elif args.action == "stop":
        stopped = server.stop()
        say("stopped the private Postgres" if stopped else "the private Postgres was not running")
    elif args.action == "status":
        running = server.is_running()
        say(f"private Postgres {'running at ' + server.display_url() if running else 'stopped'}")
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


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ordersight", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="simulate a merchant, run every asset, print a summary")
    add_simulation_arguments(demo)
    demo.add_argument("--log-level", default="INFO", choices=LOG_LEVELS)
    demo.add_argument(
        "--through-platform-apis",
        action="store_true",
        help="serve the platforms' data through the local platform server and pull it back "
        "through the API connectors (slower: about 75 requests/s)",
    )
    demo.set_defaults(func=cmd_demo)

    dev = sub.add_parser("dev", help="start the Dagster UI against the warehouse")
    dev.add_argument("--port", type=int, default=3000)
    dev.set_defaults(func=cmd_dev)

    imports = sub.add_parser(
        "import",
        help="import saved API responses (JSON or JSON Lines, with or without their envelopes) "
        "and seller-centre order exports (CSV, XLSX; Taobao's item file in the same command)",
    )
    imports.add_argument("paths", nargs="+", metavar="PATH")
    imports.add_argument(
        "--platform",
        required=True,
        help="the file's source: taobao (TB), jd (JD), pdd (PDD), wechat (WX), u8 (U8), ledger",
    )
    imports.add_argument("--entity", choices=ENTITIES, default="orders")
    imports.set_defaults(func=cmd_import)

    cycle = sub.add_parser(
        "cycle", help="run one reconciliation cycle now (what the 30-minute schedule runs)"
    )
    cycle.add_argument("--log-level", default="INFO", choices=LOG_LEVELS)
    cycle.set_defaults(func=cmd_cycle)

    db = sub.add_parser("db", help="the warehouse database")
    db.add_argument("action", choices=["url", "start", "stop", "status"])
    db.set_defaults(func=cmd_db)

    add_serve_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
