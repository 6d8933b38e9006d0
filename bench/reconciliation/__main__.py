"""Reconciliation quality and speed at a chosen size: runs the whole Dagster graph (landing,
keys, dbt, GE checks) on a fresh database and prints detection precision, recall and reason
accuracy against the simulator's ground truth, the board, and the time each part took.

    .venv/bin/python bench/reconciliation [--orders-per-day 4200] [--days 30] [--seed 7]

Prints its figures; it asserts nothing. Uses ORDERSIGHT_DATABASE_URL when set, else a private
Postgres under `.ordersight/bench`.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import psycopg
from dagster import DagsterInstance, materialize
from dagster_dbt import DbtCliResource

from orchestration.assets.dbt import dbt_project, dbt_staging, dbt_warehouse
from orchestration.assets.ingest import MerchantConfig, simulated_merchant
from orchestration.assets.keys import order_keys
from orchestration.checks import ge_checks
from orchestration.resources import AlertChannelsResource, WarehouseResource
from ordersight.cli import add_simulation_arguments
from plumbing.database import create_database, drop_database
from plumbing.dbt_cli import dbt_executable
from plumbing.private_postgres import PrivatePostgres
from plumbing.settings import configured_database_url
from reports.scoring import score_detection


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_simulation_arguments(parser)
    args = parser.parse_args()

    home = Path.cwd() / ".ordersight" / "bench"
    private = None if configured_database_url() else PrivatePostgres(home=home)
    base = configured_database_url() or private.start()
    url = create_database(base, "bench_recon")

    started = time.perf_counter()
    result = materialize(
        [simulated_merchant, dbt_staging, order_keys, dbt_warehouse, *ge_checks],
        resources={
            "warehouse": WarehouseResource(database_url=url),
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
            "alert_channels": AlertChannelsResource(outbox_path=str(home / "outbox.jsonl")),
        },
        run_config=MerchantConfig(
            seed=args.seed,
            orders_per_day=args.orders_per_day,
            days=args.days,
            start_date=args.start_date,
        ).run_config(),
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    elapsed = time.perf_counter() - started
    steps = {
        event.step_key: event.event_specific_data.duration_ms / 1000
        for event in result.all_events
        if event.event_type_value == "STEP_SUCCESS" and event.step_key
    }
    with psycopg.connect(url) as conn:
        score = score_detection(conn)
        board = dict(
            conn.execute(
                "select color, count(*) from marts.fct_reconciliation_board group by 1"
            ).fetchall()
        )
    orders = args.orders_per_day * args.days
    print(
        f"bench/reconciliation: {orders:,} orders, run {'ok' if result.success else 'FAILED'} "
        f"in {elapsed:.0f} s ({orders / elapsed:,.0f} orders/s end to end)"
    )
    for step, seconds in steps.items():
        print(f"  {step:<40} {seconds:8.1f} s")
    print(f"faulty orders            {score.faulty:,} of {score.faulty + score.clean:,}")
    print(f"recall                   {score.recall:.2%}   target ≥ 99 %")
    print(f"precision                {score.precision:.2%}")
    print(
        f"false positives          {score.false_positive_rate:.3%} of clean orders   target ≤ 1 %"
    )
    print(f"right reason             {score.reason_accuracy:.2%}   target ≥ 95 %")
    print(f"board                    {board}")
    drop_database(url)
    if private is not None:
        private.stop()


if __name__ == "__main__":
    main()
