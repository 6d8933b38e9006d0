"""Import throughput and peak memory for seller-centre export files of 250,000 and 1,000,000 rows.

Prints its figures; it asserts nothing. Generates Pinduoduo order exports in the real layout
(docs/imports.md: trailing tabs on money, slashed minute-precision times, Chinese status text),
streamed to disk, and imports each with `ordersight import`'s importer in a process of its own
into a fresh database on a private Postgres under `.ordersight/bench` (or
ORDERSIGHT_DATABASE_URL when set), so each size's peak RSS is its own: equal figures show
memory flat in file size.

    .venv/bin/python bench/imports [--rows 250000 1000000]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from domain.sources import source_named
from ingest.exports.importer import import_file
from plumbing.database import create_database, drop_database
from plumbing.private_postgres import PrivatePostgres
from plumbing.settings import configured_database_url

HEADER = (
    "商品", "订单号", "订单状态", "商品总价(元)", "店铺优惠折扣(元)", "平台优惠折扣(元)",
    "邮费(元)", "用户实付金额(元)", "商家实收金额(元)", "商品数量(件)", "订单成交时间",
    "支付时间", "商品id", "商品规格", "样式ID", "快递单号", "快递公司", "售后状态",
)  # fmt: skip
STATUSES = (
    ("待发货", "无售后或售后取消"),
    ("已发货，待签收", "无售后或售后取消"),
    ("已签收", "无售后或售后取消"),
    ("已签收，退款成功", "退款成功"),
)


def write_export(path: Path, rows: int) -> None:
    """A Pinduoduo order export of `rows` rows, written row by row (UTF-8 with a BOM)."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(rows):
            status, after_sale = STATUSES[n % len(STATUSES)]
            day, minute = 1 + n % 28, n % 60
            goods = f"{10 + n % 990}.{n % 100:02d}"
            writer.writerow(
                (
                    "保温杯", f"2606{day:02d}-{400000000000000 + n:015d}", status, goods + "\t",
                    "0\t", "0\t", "0\t", goods + "\t", goods + "\t", "1\t",
                    f"2026/6/{day} 13:{minute:02d}", f"2026/6/{day} 13:{minute:02d}", "9006178211",
                    "红色", "1", f"YT{n:012d}", "圆通", after_sale,
                )
            )  # fmt: skip


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(path: Path, url: str) -> None:
    """Import one file and print its figures as JSON (run in a process of its own)."""
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        summary = import_file(
            conn,
            path,
            source_named("pdd"),
            progress=lambda done: print(f"    {done:>10,} rows", file=sys.stderr, flush=True),
            progress_every=250_000,
        )
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "rows": summary.rows,
                "landed": summary.landed,
                "kept_aside": sum(summary.rejected.values()),
                "seconds": seconds,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[250_000, 1_000_000])
    parser.add_argument("--child", nargs=2, metavar=("FILE", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1])
        return

    private = (
        None
        if configured_database_url()
        else PrivatePostgres(home=Path.cwd() / ".ordersight" / "bench")
    )
    base = configured_database_url() or private.start()
    results = []
    with tempfile.TemporaryDirectory(prefix="ordersight-bench-") as folder:
        for rows in args.rows:
            path = Path(folder) / f"pdd-orders-{rows}.csv"
            started = time.perf_counter()
            write_export(path, rows)
            generated = time.perf_counter() - started
            size_mb = path.stat().st_size / 2**20
            print(
                f"bench/imports: {rows:,} rows, {size_mb:,.0f} MB CSV, "
                f"written in {generated:.1f} s",
                flush=True,
            )
            url = create_database(base, "benchimport")
            done = subprocess.run(
                [sys.executable, str(Path(__file__).parent), "--child", str(path), url],
                capture_output=False,
                stdout=subprocess.PIPE,
                text=True,
                check=True,
            )
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            figures["size_mb"] = size_mb
            results.append(figures)
            drop_database(url)
            path.unlink()
    print()
    print("rows        file MB   landed      kept aside   seconds   rows/s     peak RSS")
    for figures in results:
        print(
            f"{figures['rows']:>9,}   {figures['size_mb']:>7,.0f}   {figures['landed']:>9,}   "
            f"{figures['kept_aside']:>10,}   {figures['seconds']:>7.1f}   "
            f"{figures['rows'] / figures['seconds']:>8,.0f}   {figures['peak_rss_mb']:>6,.1f} MB"
        )
    if len(results) > 1:
        low, high = results[0], results[-1]
        print(
            f"peak RSS at {high['rows']:,} rows is {high['peak_rss_mb'] / low['peak_rss_mb']:.2f}× "
            f"that at {low['rows']:,} rows ({high['rows'] / low['rows']:.0f}× the file): "
            "flat in file size when close to 1×"
        )
    if private is not None:
        private.stop()


if __name__ == "__main__":
    main()
