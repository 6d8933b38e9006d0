"""`ordersight import`: saved API responses into raw, each file once, with a summary per file."""

from __future__ import annotations

import argparse
from pathlib import Path

import psycopg

from domain.sources import source_called
from ingest.exports.importer import UnsupportedFile, import_file
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
    url = prepare_environment()
    failed = 0
    with psycopg.connect(url) as conn:
        for path in paths:
            say(f"importing {path} as {source.label} ({source.name})")
            try:
                summary = import_file(
                    conn, path, source, progress=lambda done: say(f"  {done:,} objects read")
                )
            except UnsupportedFile as error:
                say(str(error))
                failed += 1
                continue
            say(summary.line())
    if failed:
        return 2
    say("run `ordersight cycle` to carry what landed through keys, dbt, checks and alerts")
    return 0
