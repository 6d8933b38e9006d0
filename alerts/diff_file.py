"""Writes the full diff detail (marts.fct_reconciliation_diffs) to a CSV attached to alerts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import psycopg

DIFF_COLUMNS = (
    "unified_key, platform, native_order_id, source_system, issue, reason_code, detail, "
    "in_platform, in_erp, in_ledger, window_start"
)


#: Diff files kept per label: two days of 30-minute cycles; older ones are removed.
KEEP_FILES = 96


def write_diff_csv(
    conn: psycopg.Connection, directory: Path, *, label: str = "diff", keep: int = KEEP_FILES
) -> Path:
    """Export every differing order to `<directory>/<label>-<UTC time>.csv` and return the path.

    Only the newest `keep` files of the label stay in `directory`.
    """
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"{label}-{stamp}.csv"
    with path.open("wb") as out, conn.cursor() as cur:
        query = (
            f"copy (select {DIFF_COLUMNS} from marts.fct_reconciliation_diffs "
            "order by window_start, source_system, issue, unified_key) "
            "to stdout with (format csv, header true)"
        )
        with cur.copy(query) as copy:
            for block in copy:
                out.write(block)
    for old in sorted(directory.glob(f"{label}-*.csv"), reverse=True)[keep:]:
        old.unlink(missing_ok=True)
    return path
