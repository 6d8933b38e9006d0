"""Render a ``MonthlyReport`` to files: one HTML page, two PNG charts and three CSV files.

Everything goes to ``<out_dir>/<yyyy-mm>/``; rendering the same month again replaces those
files (each is written beside its target and moved into place). The page is self-contained:
inline CSS, charts referenced by relative ``<img src>``, no external assets. No database here.
The pieces are in ``reports.charts``, ``reports.csv_files`` and ``reports.html``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domain.rules import DRIFT_THRESHOLD
from reports.atomic import replacing
from reports.charts import write_charts
from reports.csv_files import write_csvs
from reports.html import render_page
from reports.model import MonthlyReport

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
    drift_threshold: float = DRIFT_THRESHOLD,
) -> ReportFiles:
    """Write the report of ``report.month`` into ``out_dir/<yyyy-mm>/`` and say where.

    ``drift_threshold`` is the alert share drawn on the drift chart and quoted on the page
    (a fraction; by default ``domain.rules.DRIFT_THRESHOLD``).
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
    write_charts(
        report,
        missing_rate=files.missing_rate_png,
        drift=files.drift_png,
        drift_threshold=drift_threshold,
    )
    write_csvs(
        report,
        channels=files.channels_csv,
        misjudgements=files.misjudgements_csv,
        drift=files.drift_csv,
    )
    page = render_page(
        report,
        drift_threshold=drift_threshold,
        missing_rate_png=files.missing_rate_png.name,
        drift_png=files.drift_png.name,
        channels_csv=files.channels_csv.name,
        misjudgements_csv=files.misjudgements_csv.name,
        drift_csv=files.drift_csv.name,
    )
    with replacing(files.html) as handle:
        handle.write(page.encode("utf-8"))
    return files
