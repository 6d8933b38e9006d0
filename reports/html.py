"""The report's HTML page, rendered from ``reports/templates/monthly_report.html`` by Jinja2.

Autoescaping is on, so every value from the data is escaped; Python only prepares the table
rows (plain values) and formats numbers, the template holds the markup, the wording and the
CSS (``templates/report.css``, inlined). The page links its charts and CSVs by file name.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC
from functools import cache
from typing import Any

import jinja2

from domain.china_time import CHINA_TZ
from domain.sources import PLATFORMS_BY_CODE
from reports.model import MonthlyReport, cause_for

#: How many misjudgement cases the page lists (the CSV has all of them).
MAX_EXAMPLES = 50

TEMPLATE = "monthly_report.html"


def fmt_pct(share: float, decimals: int = 2) -> str:
    """A share as a percentage for people: 0.0125 → '1.25 %'."""
    return f"{share * 100:.{decimals}f} %"


def channel_label(code: str) -> str:
    """A channel as shown: its code, with the platform's name when that differs (TB → 'TB
    (Taobao/Tmall)', JD → 'JD'); codes that are not platforms are shown as they are."""
    platform = PLATFORMS_BY_CODE.get(code)
    name = platform.label if platform else code
    return code if name == code else f"{code} ({name})"


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the report templates (built on first use, then shared)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["pct"] = fmt_pct
    return env


def channel_rows(report: MonthlyReport) -> list[list[Any]]:
    """The channel table: label, orders, paid, missing in ERP / ledger, rate, top fields."""
    return [
        [
            channel_label(c.channel),
            c.orders,
            c.paid_orders,
            c.missing_in_erp,
            c.missing_in_ledger,
            fmt_pct(c.missing_rate),
            ", ".join(f"{name} ({n})" for name, n in c.top_missing_fields) or "—",
        ]
        for c in report.channels
    ]


def cause_rows(report: MonthlyReport) -> list[list[Any]]:
    """Misjudgements per (cause, reason code), most cases first."""
    by_cause = Counter((m.reason_code, m.cause) for m in report.misjudgements)
    return [
        [cause, code, n]
        for (code, cause), n in sorted(by_cause.items(), key=lambda i: (-i[1], i[0]))
    ]


def example_rows(report: MonthlyReport) -> list[list[Any]]:
    """The first ``MAX_EXAMPLES`` misjudgement cases, blanks shown as '—'."""
    return [
        [
            m.unified_key or f"(native id {m.native_order_id or '?'})",
            m.channel or "—",
            m.platform_state or "—",
            m.other_system or "—",
            m.other_status or "—",
            m.cause,
        ]
        for m in report.misjudgements[:MAX_EXAMPLES]
    ]


def drift_rows(report: MonthlyReport) -> list[list[Any]]:
    """Per source system: days, windows, drifting windows, largest drift and its day."""
    rows = []
    for system in sorted({d.source_system for d in report.drift}):
        points = [d for d in report.drift if d.source_system == system]
        worst = max(points, key=lambda d: d.max_drift)
        rows.append(
            [
                system,
                len(points),
                sum(d.windows for d in points),
                sum(d.drifting_windows for d in points),
                fmt_pct(worst.max_drift, 3),
                worst.day.isoformat(),
            ]
        )
    return rows


def reason_rows(report: MonthlyReport) -> list[list[Any]]:
    """Differing orders per reason code, with the code's meaning."""
    return [[code, cause_for(code), n] for code, n in report.reason_counts]


def render_page(
    report: MonthlyReport,
    *,
    drift_threshold: float,
    missing_rate_png: str,
    drift_png: str,
    channels_csv: str,
    misjudgements_csv: str,
    drift_csv: str,
) -> str:
    """The HTML page of ``report``; the file arguments are names relative to the page."""
    generated = report.generated_at.astimezone(UTC)
    return (
        environment()
        .get_template(TEMPLATE)
        .render(
            label=report.label,
            generated_utc=generated.strftime("%Y-%m-%d %H:%M UTC"),
            generated_china=generated.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M"),
            no_orders=report.total_orders == 0,
            channel_rows=channel_rows(report),
            cases=len(report.misjudgements),
            cause_rows=cause_rows(report),
            example_rows=example_rows(report),
            threshold=drift_threshold,
            drift_rows=drift_rows(report),
            reason_rows=reason_rows(report),
            files={
                "missing_rate_png": missing_rate_png,
                "drift_png": drift_png,
                "channels_csv": channels_csv,
                "misjudgements_csv": misjudgements_csv,
                "drift_csv": drift_csv,
            },
        )
    )
