"""The monthly cross-platform consistency report: its data model, loader and renderer.

``load.load_monthly_report`` reads one month from the ``marts`` schema;
``render.render_monthly_report`` writes the HTML page, PNG charts and CSV files.
The renderer never touches the database.
"""

from __future__ import annotations

from reports.model import (
    CHANNELS,
    ChannelStats,
    DriftPoint,
    MisjudgementCase,
    MonthlyReport,
    cause_for,
)
from reports.render import ReportFiles, render_monthly_report

__all__ = [
    "CHANNELS",
    "ChannelStats",
    "DriftPoint",
    "MisjudgementCase",
    "MonthlyReport",
    "ReportFiles",
    "cause_for",
    "render_monthly_report",
]
