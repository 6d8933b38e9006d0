"""Landing and dbt-build throughput, and peak memory, at N simulated orders (default 1,000,000).

Prints its figures; it asserts nothing. Runs on a private Postgres of its own under
`.ordersight/bench` (or ORDERSIGHT_DATABASE_URL when set), in a fresh database.

    .venv/bin/python bench/ingest [--orders 1000000] [--days 25]

The dbt figure is two real `dbt build`s (models and their tests): seeds + staging before key
allocation, the order marts after it.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import psycopg

from ingest.ground_truth import reset_truth, store_truth
from ingest.keys import allocate_keys, ensure_schema, staged_refs_without_key
from ingest.load import Landing
from ingest.simulate import MerchantSimulator, SimulationConfig
from plumbing.database import create_database, drop_database
from plumbing.dbt_cli import run_dbt
from plumbing.private_postgres import PrivatePostgres
from plumbing.settings import configured_database_url


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=25)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    private = (
        None
        if configured_database_url()
        else PrivatePostgres(home=Path.cwd() / ".ordersight" / "bench")
    )
    base = configured_database_url() or private.start()
    url = create_database(base, "bench")
    per_day = max(1, args.orders // args.days)
    simulator = MerchantSimulator(
        SimulationConfig(seed=args.seed, orders_per_day=per_day, days=args.days)
    )
    total = simulator.total_orders
    print(f"bench/ingest: {total:,} orders ({per_day:,}/day × {args.days} days)", flush=True)

    landing_seconds = 0.0
    simulate_seconds = 0.0
    orders_done = 0
    rss_marks: list[tuple[int, float]] = []
    with psycopg.connect(url) as conn:
        reset_truth(conn)
        with Landing(conn, label="bench") as landing:
            started = time.perf_counter()
            for chunk in simulator.chunks(chunk_orders=5000):
                simulated = time.perf_counter()
                simulate_seconds += simulated - started
                landing.add(chunk.records)
                landed = time.perf_counter()
                landing_seconds += landed - simulated
                store_truth(conn, chunk.orders, chunk.faults)
                orders_done += sum(1 for o in chunk.orders if not o.expect_quarantine)
                if not rss_marks or orders_done >= rss_marks[-1][0] + total // 5:
                    rss_marks.append((orders_done, peak_rss_mb()))
                    print(
                        f"  {orders_done:>10,} orders  peak RSS {rss_marks[-1][1]:7.1f} MB",
                        flush=True,
                    )
                started = time.perf_counter()
            flushed = time.perf_counter()
        landing_seconds += time.perf_counter() - flushed
        payloads = landing.result.rows

    started = time.perf_counter()
    with psycopg.connect(url) as reader, psycopg.connect(url) as writer:
        run_dbt(url, "build", "--select", "path:seeds path:models/staging")
        dbt_staging_seconds = time.perf_counter() - started
        started = time.perf_counter()
        ensure_schema(writer)
        writer.commit()
        allocate_keys(writer, staged_refs_without_key(reader))
        keys_seconds = time.perf_counter() - started
    started = time.perf_counter()
    run_dbt(url, "build", "--select", "int_orders__unified fct_orders fct_order_state_history")
    dbt_marts_seconds = time.perf_counter() - started
    with psycopg.connect(url) as conn:
        fct_orders = conn.execute("select count(*) from marts.fct_orders").fetchone()[0]

    dbt_seconds = dbt_staging_seconds + dbt_marts_seconds
    print()
    print(f"payloads landed            {payloads:,} ({payloads / total:.2f} per order)")
    print(f"simulation                 {total / simulate_seconds:,.0f} orders/s")
    print(
        f"landing (COPY)             {total / landing_seconds:,.0f} orders/s "
        f"({payloads / landing_seconds:,.0f} payloads/s, {landing_seconds:.1f} s)   "
        "target ≥ 100,000 orders/s"
    )
    print(f"key allocation             {total / keys_seconds:,.0f} orders/s ({keys_seconds:.1f} s)")
    print(f"dbt build (order marts)    {total / dbt_seconds:,.0f} orders/s ({dbt_seconds:.1f} s)")
    print(f"fct_orders rows            {fct_orders:,}")
    print(
        f"peak RSS (this process)    {peak_rss_mb():,.1f} MB   target < 1,024 MB; "
        "by progress: " + ", ".join(f"{n:,}→{mb:.0f} MB" for n, mb in rss_marks)
    )
    drop_database(url)
    if private is not None:
        private.stop()


if __name__ == "__main__":
    main()
