"""The report's three CSV files: channel completeness, misjudgement cases and daily drift.

UTF-8 with a header row, one row per channel / case / (day, source system), every row
starting with the month (or the day). Shares are percentage numbers: 0.0125 is written 1.25.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from reports.atomic import replacing
from reports.model import MonthlyReport

#: How many of a channel's top missing fields get their own columns.
TOP_FIELDS = 3

CHANNELS_HEADER: tuple[str, ...] = (
    "month",
    "channel",
    "orders",
    "paid_orders",
    "missing_in_erp",
    "missing_in_ledger",
    "missing_rate_pct",
    *(f"missing_{kind}_{i}" for i in range(1, TOP_FIELDS + 1) for kind in ("field", "count")),
)
MISJUDGEMENTS_HEADER: tuple[str, ...] = (
    "month",
    "unified_key",
    "native_order_id",
    "channel",
    "platform_state",
    "other_system",
    "other_status",
    "reason_code",
    "cause",
)
DRIFT_HEADER: tuple[str, ...] = (
    "day",
    "source_system",
    "max_drift_pct",
    "mean_drift_pct",
    "drifting_windows",
    "windows",
)


def pct_number(share: float) -> float:
    """A share as a percentage number for CSV (0.0125 → 1.25), to 4 decimals."""
    return round(share * 100, 4)


def channel_rows(report: MonthlyReport) -> list[list[Any]]:
    """One row per channel; missing field columns are blank where a channel has fewer."""
    rows = []
    for c in report.channels:
        fields: list[Any] = []
        for i in range(TOP_FIELDS):
            name, count = c.top_missing_fields[i] if i < len(c.top_missing_fields) else ("", "")
            fields += [name, count]
        rows.append(
            [
                report.label,
                c.channel,
                c.orders,
                c.paid_orders,
                c.missing_in_erp,
                c.missing_in_ledger,
                pct_number(c.missing_rate),
                *fields,
            ]
        )
    return rows


def misjudgement_rows(report: MonthlyReport) -> list[list[Any]]:
    """One row per misjudgement case, all of them."""
    return [
        [
            report.label,
            m.unified_key,
            m.native_order_id,
            m.channel,
            m.platform_state,
            m.other_system,
            m.other_status,
            m.reason_code,
            m.cause,
        ]
        for m in report.misjudgements
    ]


def drift_rows(report: MonthlyReport) -> list[list[Any]]:
    """One row per (China-time day, source system)."""
    return [
        [
            d.day.isoformat(),
            d.source_system,
            pct_number(d.max_drift),
            pct_number(d.mean_drift),
            d.drifting_windows,
            d.windows,
        ]
        for d in report.drift
    ]


def write_csv(target: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Replace ``target`` with a UTF-8 CSV of ``header`` and ``rows``."""
    with replacing(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_csvs(report: MonthlyReport, *, channels: Path, misjudgements: Path, drift: Path) -> None:
    """Write the three CSV files of ``report`` to the given paths."""
    write_csv(channels, CHANNELS_HEADER, channel_rows(report))
    write_csv(misjudgements, MISJUDGEMENTS_HEADER, misjudgement_rows(report))
    write_csv(drift, DRIFT_HEADER, drift_rows(report))
