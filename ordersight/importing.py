"""`ordersight import`: saved API responses and seller-centre exports into raw, each file once."""

from __future__ import annotations

import argparse
from pathlib import Path

import psycopg

from domain.sources import ORDERS, source_called
from ingest.exports.importer import UnsupportedFile, import_file, land_unjoined_items
from ingest.exports.rows import ItemIndex, is_item_file
from ingest.exports.tables import TABLE_SUFFIXES
from ordersight.environment import prepare_environment, say


def cmd_import(args: argparse.Namespace) -> int:
    try:
        source = source_called(args.platform, args.entity)
    except ValueError as error:
        say(str(error))
        return 2
    paths = [Path(path) for path in args.paths]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        say(f"no such file: {', '.join(missing)}")
        return 2
    tables = [path for path in paths if path.suffix.lower() in TABLE_SUFFIXES]
    if tables and source.entity != ORDERS:
        say(
            f"{source.name}: seller-centre refund exports have no documented layout yet; only "
            f"order exports can be imported ({', '.join(map(str, tables))})"
        )
        return 2
    try:
        item_files = [path for path in tables if is_item_file(path, source)]
    except ValueError as error:  # no layout fits, no header, not UTF-8 nor GBK
        say(str(error))
        return 2
    url = prepare_environment()
    failed = 0
    items = ItemIndex() if item_files else None
    try:
        with psycopg.connect(url) as conn:
            for path in item_files:
                say(f"reading item file {path}")
                items.add_file_at(path, source)
            for path in paths:
                if path in item_files:
                    continue
                say(f"importing {path} as {source.label} ({source.name})")
                try:
                    summary = import_file(
                        conn,
                        path,
                        source,
                        items=items,
                        progress=lambda done: say(f"  {done:,} objects read"),
                    )
                except UnsupportedFile as error:
                    say(str(error))
                    failed += 1
                    continue
                say(summary.line())
            if items:
                for summary in land_unjoined_items(conn, items, source):
                    say(summary.line())
    finally:
        if items:
            items.close()
    if failed:
        return 2
    say("run `ordersight cycle` to carry what landed through keys, dbt, checks and alerts")
    return 0
