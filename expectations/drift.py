"""Drift check: every 30-minute reconciliation window within the drift threshold (0.3 %).

Reads ``marts.fct_reconciliation_windows`` (one row per window and source system) with GE;
on failure, lists the offending windows and the differing orders inside them from
``marts.fct_reconciliation_diffs`` with bounded SQL.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import psycopg

from domain.findings import DiffRow
from domain.rules import DRIFT_THRESHOLD
from expectations.context import gx_session
from expectations.db import DatabaseUnavailable, connect, fetch_dicts, first_line, missing_tables
from expectations.outcome import CheckOutcome, jsonable, not_run, pct
from expectations.runner import SuiteRun, gx_errors, run_suite
from expectations.suites import DRIFT_COLUMNS, drift_expectations, drift_key, not_null_key

CHECK_NAME = "reconciliation_drift"
WINDOWS_TABLE = "marts.fct_reconciliation_windows"
DIFFS_TABLE = "marts.fct_reconciliation_diffs"
#: At most this many offending windows are shown as figures in an alert.
MAX_FIGURE_WINDOWS = 8
#: At most this many offending windows are listed in the metadata.
MAX_LISTED_WINDOWS = 50

_OFFENDING = """(
    count_drift is null or amount_drift is null
    or count_drift < 0 or count_drift > %(threshold)s
    or amount_drift < 0 or amount_drift > %(threshold)s
)"""

_WORST_FIRST = """
    (count_drift is null or amount_drift is null) desc,
    greatest(count_drift, amount_drift) desc nulls first,
    window_start, source_system"""


def _range_clause(windows: tuple[datetime, datetime] | None, *, literal: bool) -> str:
    """SQL restricting windows to ``[start, end)`` by window_start ('true' without a range)."""
    if windows is None:
        return "true"
    if literal:
        # isoformat() of a datetime: no user text reaches the SQL.
        lo, hi = (moment.isoformat() for moment in windows)
        return f"window_start >= '{lo}'::timestamptz and window_start < '{hi}'::timestamptz"
    return "window_start >= %(lo)s and window_start < %(hi)s"


def _validate(threshold: float, top_orders: int, windows: tuple[datetime, datetime] | None) -> None:
    if not (isinstance(threshold, int | float) and math.isfinite(threshold) and threshold >= 0):
        raise ValueError(f"threshold must be a finite fraction >= 0, got {threshold!r}")
    if top_orders < 0:
        raise ValueError(f"top_orders must be >= 0, got {top_orders!r}")
    if windows is not None:
        lo, hi = windows
        for moment in (lo, hi):
            if not isinstance(moment, datetime) or moment.tzinfo is None:
                raise ValueError("windows must be two timezone-aware datetimes")
        if lo >= hi:
            raise ValueError(f"empty window range: {lo.isoformat()} >= {hi.isoformat()}")


def settled_windows(
    conn: psycopg.Connection[Any], *, lookback: timedelta, settle: timedelta
) -> tuple[datetime, datetime] | None:
    """The last ``lookback`` of windows that have settled: those starting before the newest
    window holding store orders, plus 30 minutes, minus ``settle``. None without store orders.

    Counted from the store's windows, never from a source's: one ERP or ledger record dated
    hours ahead must not make unsettled windows look settled.
    """
    latest = conn.execute(
        f"select max(window_start) from {WINDOWS_TABLE} where store_paid_count > 0"
    ).fetchone()[0]
    if latest is None:
        return None
    end = latest + timedelta(minutes=30) - settle
    return end - lookback, end


def check_drift(
    database_url: str,
    *,
    threshold: float = DRIFT_THRESHOLD,
    top_orders: int = 20,
    windows: tuple[datetime, datetime] | None = None,
    lookback: timedelta | None = None,
    settle: timedelta = timedelta(0),
) -> CheckOutcome:
    """Every window's ``count_drift`` and ``amount_drift`` is within ``[0, threshold]``.

    ``windows=(start, end)`` (timezone-aware) limits the check to windows with
    ``start <= window_start < end``; ``lookback`` (with ``settle``) instead limits it to
    :func:`settled_windows`. A window exactly at the threshold passes. On failure
    the metadata lists the offending windows (worst first, at most 50) and up to
    ``top_orders`` differing orders from the diffs that fall in those windows (same
    window_start and source system). Never raises for data problems: an unreachable
    database, a missing or empty table or a GE error gives ``ran=False, passed=False``.
    """
    _validate(threshold, top_orders, windows)
    metadata: dict[str, Any] = {
        "table": WINDOWS_TABLE,
        "threshold": threshold,
        "threshold_pct": pct(threshold),
        "range": list(windows) if windows else None,
    }
    what = WINDOWS_TABLE + (
        f" (windows from {windows[0].isoformat()} to {windows[1].isoformat()})" if windows else ""
    )
    try:
        conn = connect(database_url)
    except DatabaseUnavailable as exc:
        return not_run(CHECK_NAME, f"cannot connect to the warehouse: {exc}", **metadata)
    with conn:
        if missing_tables(conn, [WINDOWS_TABLE]):
            return not_run(
                CHECK_NAME,
                f"table {WINDOWS_TABLE} does not exist (has the dbt build run?)",
                **metadata,
            )
        if lookback is not None:
            windows = settled_windows(conn, lookback=lookback, settle=settle)
            if windows is None:
                return not_run(
                    CHECK_NAME, f"{WINDOWS_TABLE} has no window with store orders", **metadata
                )
            metadata["range"] = list(windows)
            what = (
                f"{WINDOWS_TABLE} (settled windows from {windows[0].isoformat()} to "
                f"{windows[1].isoformat()})"
            )
        try:
            with gx_session(database_url) as session:
                if windows is None:
                    schema, table = WINDOWS_TABLE.split(".")
                    batch = session.table_batch(
                        "reconciliation_windows", schema=schema, table=table
                    )
                else:
                    batch = session.query_batch(
                        "reconciliation_windows_in_range",
                        query=f"select * from {WINDOWS_TABLE} "
                        f"where {_range_clause(windows, literal=True)}",
                    )
                run = run_suite(
                    session, batch, CHECK_NAME, drift_expectations(threshold), what=what
                )
        except gx_errors() as exc:
            return not_run(
                CHECK_NAME, f"Great Expectations failed on {what}: {first_line(exc)}", **metadata
            )
        if not run.ran:
            return not_run(
                CHECK_NAME, run.problem or f"the drift check did not run on {what}", **metadata
            )
        return _outcome(conn, run, metadata, threshold, top_orders, windows)


def _outcome(
    conn: psycopg.Connection[Any],
    run: SuiteRun,
    metadata: dict[str, Any],
    threshold: float,
    top_orders: int,
    windows: tuple[datetime, datetime] | None,
) -> CheckOutcome:
    params: dict[str, Any] = {
        "threshold": threshold,
        "top": top_orders,
        "limit": MAX_LISTED_WINDOWS,
    }
    if windows:
        params["lo"], params["hi"] = windows
    metadata["windows_checked"] = run.row_count
    for column in DRIFT_COLUMNS:
        metadata[f"{column}_out_of_range"] = run.result(drift_key(column)).get("unexpected_count")
        metadata[f"{column}_null"] = run.result(not_null_key(column)).get("unexpected_count")
    try:
        details = _details(conn, params, windows, top_orders, run.success)
    except psycopg.Error as exc:
        details = {"details_error": first_line(exc)}
    metadata.update(details)
    if "offending_windows" not in metadata:
        metadata["offending_windows"] = max(
            (metadata[f"{column}_{part}"] or 0)
            for column in DRIFT_COLUMNS
            for part in ("out_of_range", "null")
        )
    passed = run.success
    rows = tuple(DiffRow.from_mapping(row) for row in metadata.get("top_orders") or ())
    return CheckOutcome(
        name=CHECK_NAME,
        passed=passed,
        ran=True,
        summary=_summary(passed, metadata),
        metadata=jsonable(metadata),
        figures=_figures(metadata),
        rows=rows,
        total_rows=int(metadata.get("diff_rows") or len(rows)),
    )


def _figures(metadata: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The worst windows, then the totals: what an alert shows first."""
    figures = []
    for window in (metadata.get("windows") or [])[:MAX_FIGURE_WINDOWS]:
        drift = "unknown" if window["drift_pct"] is None else f"{window['drift_pct']:g} %"
        figures.append(
            (
                f"{window['source_system']} {window['window_start'].isoformat()[:16]}",
                f"{drift} ({window['source_paid_count']} vs {window['store_paid_count']})",
            )
        )
    figures.append(("offending windows", f"{metadata['offending_windows']:,}"))
    figures.append(("windows checked", f"{metadata['windows_checked']:,}"))
    if metadata.get("max_drift_pct") is not None:
        figures.append(("max drift", f"{metadata['max_drift_pct']:g} %"))
    return tuple(figures)


def _details(
    conn: psycopg.Connection[Any],
    params: dict[str, Any],
    windows: tuple[datetime, datetime] | None,
    top_orders: int,
    passed: bool,
) -> dict[str, Any]:
    where = _range_clause(windows, literal=False)
    stats = fetch_dicts(
        conn,
        f"""
        select count(*) filter (where {_OFFENDING}) as offending,
               max(greatest(count_drift, amount_drift)) as max_drift
        from {WINDOWS_TABLE} where {where}""",
        params,
    )[0]
    details: dict[str, Any] = {
        "offending_windows": stats["offending"],
        "max_drift_pct": pct(stats["max_drift"]),
    }
    if passed and not stats["offending"]:
        return details
    listed = fetch_dicts(
        conn,
        f"""
        select window_start, window_end, source_system,
               source_paid_count, store_paid_count, source_paid_fen, store_paid_fen,
               count_drift, amount_drift
        from {WINDOWS_TABLE}
        where {where} and {_OFFENDING}
        order by {_WORST_FIRST}
        limit %(limit)s""",
        params,
    )
    details["windows"] = [_window_row(row) for row in listed]
    details["windows_truncated"] = stats["offending"] > len(listed)
    if missing_tables(conn, [DIFFS_TABLE]):
        details["orders_error"] = f"table {DIFFS_TABLE} does not exist"
        return details
    offending = f"""
        offending as (
            select window_start, upper(source_system) as system,
                   (count_drift is null or amount_drift is null) as unknown,
                   greatest(count_drift, amount_drift) as drift
            from {WINDOWS_TABLE}
            where {where} and {_OFFENDING}
        ),
        diffs as (
            select d.*, o.unknown, o.drift
            from {DIFFS_TABLE} as d
            join offending as o
              on d.window_start = o.window_start and upper(d.source_system) = o.system
        )"""
    totals = fetch_dicts(
        conn,
        f"""
        with {offending}
        select count(*) as diff_rows,
               count(distinct coalesce(unified_key, platform || ':' || native_order_id))
                   as orders
        from diffs""",
        params,
    )[0]
    details["differing_orders"] = totals["orders"]
    details["diff_rows"] = totals["diff_rows"]
    details["top_orders"] = (
        fetch_dicts(
            conn,
            f"""
        with {offending}
        select window_start, source_system, unified_key, platform, native_order_id,
               issue, reason_code, detail
        from diffs
        order by unknown desc, drift desc nulls first, window_start, source_system,
                 coalesce(unified_key, native_order_id), issue
        limit %(top)s""",
            params,
        )
        if top_orders
        else []
    )
    return details


def _window_row(row: dict[str, Any]) -> dict[str, Any]:
    count_drift, amount_drift = row.pop("count_drift"), row.pop("amount_drift")
    drifts = [value for value in (count_drift, amount_drift) if value is not None]
    row["count_drift_pct"] = pct(count_drift)
    row["amount_drift_pct"] = pct(amount_drift)
    row["drift_pct"] = pct(max(drifts)) if len(drifts) == 2 else None
    return row


def _summary(passed: bool, metadata: dict[str, Any]) -> str:
    checked = metadata["windows_checked"]
    limit = f"{metadata['threshold_pct']:g} %"
    if passed:
        return (
            f"all {checked:,} reconciliation windows within {limit} "
            f"(max drift {metadata.get('max_drift_pct') or 0:g} %)"
        )
    text = (
        f"{metadata['offending_windows']:,} of {checked:,} reconciliation windows drift "
        f"beyond {limit}"
    )
    listed = metadata.get("windows") or []
    if listed:
        worst = listed[0]
        drift = "unknown" if worst["drift_pct"] is None else f"{worst['drift_pct']:g} %"
        text += (
            f"; worst: {worst['source_system']} window "
            f"{worst['window_start'].isoformat()} at {drift}"
        )
    if "differing_orders" in metadata:
        text += f"; {metadata['differing_orders']:,} differing orders in those windows"
    return text
