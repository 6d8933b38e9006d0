"""The report's two PNG charts: missing rate by channel, and daily drift by source system.

Drawn with matplotlib's Agg backend (no display needed), imported on first use. A month
without data still gets both files, each saying "no data".
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from reports.atomic import replacing
from reports.model import MonthlyReport


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


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


def _save(fig: Any, target: Path) -> None:
    fig.tight_layout()
    with replacing(target) as handle:
        fig.savefig(handle, format="png")


def write_missing_rate_chart(report: MonthlyReport, target: Path) -> None:
    """Bars of each channel's missing rate (ERP + ledger) / paid orders, in percent."""
    plt = _pyplot()
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
        _save(fig, target)
    finally:
        plt.close(fig)


def write_drift_chart(report: MonthlyReport, target: Path, threshold: float) -> None:
    """One line per source system of its daily maximum drift, with ``threshold`` dashed."""
    plt = _pyplot()
    import matplotlib.dates as mdates
    from matplotlib.ticker import PercentFormatter

    label = report.label
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
        _save(fig, target)
    finally:
        plt.close(fig)


def write_charts(
    report: MonthlyReport, *, missing_rate: Path, drift: Path, drift_threshold: float
) -> None:
    """Write both charts of ``report`` to the given paths."""
    write_missing_rate_chart(report, missing_rate)
    write_drift_chart(report, drift, drift_threshold)
