"""Render a ``MonthlyReport`` to files: one HTML page, two PNG charts and three CSV files.

Everything goes to ``<out_dir>/<yyyy-mm>/``; rendering the same month again replaces those
files (each is written beside its target and moved into place). The page is self-contained:
inline CSS, charts referenced by relative ``<img src>``, no external assets. No database here.
"""

from __future__ import annotations

import csv
import html
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, timezone
from pathlib import Path
from typing import IO, Any

from reports.model import (
    CHANNEL_NAMES,
    DRIFT_ALERT_THRESHOLD,
    MonthlyReport,
    cause_for,
)

#: How many misjudgement cases the page lists (the CSV has all of them).
MAX_EXAMPLES = 50

_CHINA = timezone(timedelta(hours=8), "China time")  # no DST in China since 1991

MISSING_RATE_PNG = "missing-rate-by-channel.png"
DRIFT_PNG = "drift-trend.png"
CHANNELS_CSV = "channels.csv"
MISJUDGEMENTS_CSV = "misjudgements.csv"
DRIFT_CSV = "drift.csv"


@dataclass(frozen=True)
class ReportFiles:
    """Where one month's report was written."""

    directory: Path
    html: Path
    channels_csv: Path
    misjudgements_csv: Path
    drift_csv: Path
    missing_rate_png: Path
    drift_png: Path

    @property
    def csvs(self) -> tuple[Path, ...]:
        """The CSV files."""
        return (self.channels_csv, self.misjudgements_csv, self.drift_csv)

    @property
    def pngs(self) -> tuple[Path, ...]:
        """The PNG charts."""
        return (self.missing_rate_png, self.drift_png)

    @property
    def all(self) -> tuple[Path, ...]:
        """Every file written."""
        return (self.html, *self.csvs, *self.pngs)


def render_monthly_report(
    report: MonthlyReport,
    out_dir: Path,
    *,
    drift_threshold: float = DRIFT_ALERT_THRESHOLD,
) -> ReportFiles:
    """Write the report of ``report.month`` into ``out_dir/<yyyy-mm>/`` and say where.

    ``drift_threshold`` is the alert share drawn on the drift chart (0.003 = 0.3 %).
    """
    label = report.label
    directory = Path(out_dir) / label
    directory.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(
        directory=directory,
        html=directory / f"consistency-report-{label}.html",
        channels_csv=directory / CHANNELS_CSV,
        misjudgements_csv=directory / MISJUDGEMENTS_CSV,
        drift_csv=directory / DRIFT_CSV,
        missing_rate_png=directory / MISSING_RATE_PNG,
        drift_png=directory / DRIFT_PNG,
    )
    _write_charts(report, files, drift_threshold)
    _write_csvs(report, files)
    page = _html_page(report, files, drift_threshold)
    _replace(files.html, lambda f: f.write(page.encode("utf-8")))
    return files


# ---------------------------------------------------------------- writing helpers


def _replace(target: Path, write: Callable[[IO[bytes]], Any]) -> None:
    """Write ``target`` through a temporary sibling, then move it into place."""
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        with tmp.open("wb") as handle:
            write(handle)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _write_csv(target: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _pct(share: float) -> float:
    """A share as a percentage number for CSV (0.0125 → 1.25)."""
    return round(share * 100, 4)


def _write_csvs(report: MonthlyReport, files: ReportFiles) -> None:
    month = report.label
    channel_rows = []
    for c in report.channels:
        fields: list[Any] = []
        for i in range(3):
            name, count = c.top_missing_fields[i] if i < len(c.top_missing_fields) else ("", "")
            fields += [name, count]
        channel_rows.append(
            [
                month,
                c.channel,
                c.orders,
                c.paid_orders,
                c.missing_in_erp,
                c.missing_in_ledger,
                _pct(c.missing_rate),
                *fields,
            ]
        )
    _write_csv(
        files.channels_csv,
        [
            "month",
            "channel",
            "orders",
            "paid_orders",
            "missing_in_erp",
            "missing_in_ledger",
            "missing_rate_pct",
            "missing_field_1",
            "missing_count_1",
            "missing_field_2",
            "missing_count_2",
            "missing_field_3",
            "missing_count_3",
        ],
        channel_rows,
    )
    _write_csv(
        files.misjudgements_csv,
        [
            "month",
            "unified_key",
            "native_order_id",
            "channel",
            "platform_state",
            "other_system",
            "other_status",
            "reason_code",
            "cause",
        ],
        (
            [
                month,
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
        ),
    )
    _write_csv(
        files.drift_csv,
        ["day", "source_system", "max_drift_pct", "mean_drift_pct", "drifting_windows", "windows"],
        (
            [
                d.day.isoformat(),
                d.source_system,
                _pct(d.max_drift),
                _pct(d.mean_drift),
                d.drifting_windows,
                d.windows,
            ]
            for d in report.drift
        ),
    )


# ---------------------------------------------------------------- charts


def _write_charts(report: MonthlyReport, files: ReportFiles, threshold: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    label = report.label

    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    try:
        names = [c.channel for c in report.channels]
        rates = [c.missing_rate * 100 for c in report.channels]
        if report.total_orders == 0:
            _no_data(ax, f"No orders created in {label}")
        else:
            bars = ax.bar(names, rates, color="#4c72b0")
            ax.bar_label(bars, labels=[f"{r:.2f} %" for r in rates], padding=2, fontsize=8)
            ax.set_ylim(0, max(max(rates, default=0) * 1.2, 1.0))
            ax.yaxis.set_major_formatter(PercentFormatter(decimals=1))
            ax.set_ylabel("missing rate (ERP + ledger) / paid orders")
        ax.set_title(f"Missing rate by channel — {label}")
        fig.tight_layout()
        _replace(files.missing_rate_png, lambda f: fig.savefig(f, format="png"))
    finally:
        plt.close(fig)

    fig, ax = plt.subplots(figsize=(10, 4), dpi=100)
    try:
        if not report.drift:
            _no_data(ax, f"No reconciliation windows in {label}")
        else:
            systems = sorted({d.source_system for d in report.drift})
            top = threshold * 100
            for system in systems:
                points = sorted(
                    (d for d in report.drift if d.source_system == system), key=lambda d: d.day
                )
                values = [d.max_drift * 100 for d in points]
                top = max(top, *values)
                ax.plot(
                    [d.day for d in points],
                    values,
                    marker="o",
                    markersize=3,
                    label=f"{system} (daily max)",
                )
            ax.axhline(
                threshold * 100,
                color="#c44e52",
                linestyle="--",
                label=f"alert threshold {threshold * 100:.1f} %",
            )
            start = datetime.combine(report.month, time())
            end = (start + timedelta(days=31)).replace(day=1)  # midnight after the last day
            ax.set_xlim(start - timedelta(hours=12), end - timedelta(hours=12))
            ax.xaxis.set_major_locator(mdates.DayLocator(bymonthday=(1, 5, 10, 15, 20, 25)))
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
            ax.set_xlabel("day (China time)")
            ax.set_ylim(0, top * 1.15)
            ax.yaxis.set_major_formatter(PercentFormatter(decimals=2))
            ax.set_ylabel("drift")
            ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.set_title(f"Reconciliation drift by source system — {label}")
        fig.tight_layout()
        _replace(files.drift_png, lambda f: fig.savefig(f, format="png"))
    finally:
        plt.close(fig)


def _no_data(ax: Any, text: str) -> None:
    ax.text(
        0.5,
        0.5,
        f"no data\n{text}",
        ha="center",
        va="center",
        fontsize=12,
        color="#777777",
        transform=ax.transAxes,
    )
    ax.set_xticks([])
    ax.set_yticks([])


# ---------------------------------------------------------------- HTML

_CSS = """
body { font-family: -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em;
     border-bottom: 1px solid #ddd; padding-bottom: .2em; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: .9em; }
th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #666; } .warn { color: #b00020; font-weight: bold; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(header: Sequence[str], rows: Iterable[Sequence[tuple[object, bool]]]) -> str:
    """An HTML table; each cell is (value, is_number)."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "\n".join(
        "<tr>"
        + "".join(f'<td class="num">{_e(v)}</td>' if num else f"<td>{_e(v)}</td>" for v, num in row)
        + "</tr>"
        for row in rows
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _channel_label(channel: str) -> str:
    name = CHANNEL_NAMES.get(channel, channel)
    return channel if name == channel else f"{channel} ({name})"


def _fmt_pct(share: float, decimals: int = 2) -> str:
    return f"{share * 100:.{decimals}f} %"


def _html_page(report: MonthlyReport, files: ReportFiles, threshold: float) -> str:
    label = report.label
    title = f"Cross-platform consistency report — {label}"
    generated = report.generated_at.astimezone(UTC)
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(title)}</h1>",
        '<p class="muted">Generated '
        f"{_e(generated.strftime('%Y-%m-%d %H:%M UTC'))} "
        f"({_e(generated.astimezone(_CHINA).strftime('%Y-%m-%d %H:%M'))} China time). "
        "Orders belong to the month of their creation in China time (UTC+8).</p>",
    ]

    # Channels
    parts.append("<h2>Missing orders by channel</h2>")
    if report.total_orders == 0:
        parts.append(f"<p><strong>No orders were created in {_e(label)}.</strong></p>")
    parts.append(
        _table(
            [
                "Channel",
                "Orders",
                "Paid",
                "Missing in ERP",
                "Missing in ledger",
                "Missing rate",
                "Top missing fields",
            ],
            (
                [
                    (_channel_label(c.channel), False),
                    (c.orders, True),
                    (c.paid_orders, True),
                    (c.missing_in_erp, True),
                    (c.missing_in_ledger, True),
                    (_fmt_pct(c.missing_rate), True),
                    (", ".join(f"{name} ({n})" for name, n in c.top_missing_fields) or "—", False),
                ]
                for c in report.channels
            ),
        )
    )
    parts.append(
        '<p class="muted">Missing rate = (paid orders missing in the ERP + paid orders not on '
        "risk-control hold missing in the ledger) / paid orders.</p>"
    )
    parts.append(
        f'<img src="{_e(files.missing_rate_png.name)}" '
        f'alt="{_e(f"Bar chart: missing rate by channel, {label}")}">'
    )

    # Misjudgements
    cases = report.misjudgements
    parts.append("<h2>Status misjudgements</h2>")
    if not cases:
        parts.append("<p>No status misjudgements were found this month.</p>")
    else:
        by_cause = Counter((m.reason_code, m.cause) for m in cases)
        parts.append(
            f"<p>{len(cases)} order status(es) were read differently by another system.</p>"
        )
        parts.append(
            _table(
                ["Cause", "Reason code", "Cases"],
                (
                    [(cause, False), (code, False), (n, True)]
                    for (code, cause), n in sorted(by_cause.items(), key=lambda i: (-i[1], i[0]))
                ),
            )
        )
        shown = cases[:MAX_EXAMPLES]
        note = (
            f"Examples: the first {len(shown)} of {len(cases)} (all are in "
            f"{files.misjudgements_csv.name})."
            if len(cases) > len(shown)
            else f"All cases (also in {files.misjudgements_csv.name})."
        )
        parts.append(f'<p class="muted">{_e(note)}</p>')
        parts.append(
            _table(
                [
                    "Order key",
                    "Channel",
                    "Platform state",
                    "Other system",
                    "Other system's status",
                    "Cause",
                ],
                (
                    [
                        (m.unified_key or f"(native id {m.native_order_id or '?'})", False),
                        (m.channel or "—", False),
                        (m.platform_state or "—", False),
                        (m.other_system or "—", False),
                        (m.other_status or "—", False),
                        (m.cause, False),
                    ]
                    for m in shown
                ),
            )
        )

    # Drift
    parts.append("<h2>Drift trend</h2>")
    parts.append(
        f"<p>Reconciliation windows (every 30 min) compare each source system with the order "
        f"store; a window drifts when count or amount drift exceeds "
        f"{_e(_fmt_pct(threshold, 1))}. The chart shows each day's largest drift.</p>"
    )
    if not report.drift:
        parts.append(f"<p>No reconciliation windows were recorded in {_e(label)}.</p>")
    else:
        systems = sorted({d.source_system for d in report.drift})
        rows = []
        for system in systems:
            points = [d for d in report.drift if d.source_system == system]
            windows = sum(d.windows for d in points)
            drifting = sum(d.drifting_windows for d in points)
            worst = max(points, key=lambda d: d.max_drift)
            rows.append(
                [
                    (system, False),
                    (len(points), True),
                    (windows, True),
                    (drifting, True),
                    (_fmt_pct(worst.max_drift, 3), True),
                    (worst.day.isoformat(), False),
                ]
            )
        parts.append(
            _table(
                [
                    "Source system",
                    "Days",
                    "Windows",
                    "Drifting windows",
                    "Largest drift",
                    "On (China date)",
                ],
                rows,
            )
        )
    drift_alt = (
        f"Line chart: daily maximum drift per source system, {label}, "
        f"with the {threshold * 100:.1f} % alert threshold"
    )
    parts.append(f'<img src="{_e(files.drift_png.name)}" alt="{_e(drift_alt)}">')

    # Reason codes
    parts.append("<h2>Differences by reason code</h2>")
    if not report.reason_counts:
        parts.append("<p>No reconciliation differences were recorded this month.</p>")
    else:
        parts.append(
            _table(
                ["Reason code", "Meaning", "Orders"],
                (
                    [(code, False), (cause_for(code), False), (n, True)]
                    for code, n in report.reason_counts
                ),
            )
        )
    parts.append(
        f'<p class="muted">Data: {_e(files.channels_csv.name)}, '
        f"{_e(files.misjudgements_csv.name)}, {_e(files.drift_csv.name)}.</p>"
    )
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
