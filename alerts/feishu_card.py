"""Feishu/Lark interactive cards for alerts, shrunk to fit the bot's body-size limit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from alerts.message import Alert
from alerts.text import headline, more_line, row_line, truncate

# Header colours (Feishu card templates) by kind, then by severity for firing alerts.
FIRING_TEMPLATES = {"critical": "red", "warning": "orange", "info": "blue"}
KIND_TEMPLATES = {"recovered": "green", "escalation": "purple"}

LINK_BUTTON_TEXT = "Open in Dagster"
DIFF_BUTTON_TEXT = "Full diff (CSV)"


def card_template(alert: Alert) -> str:
    """The header colour for an alert."""
    return KIND_TEMPLATES.get(alert.kind) or FIRING_TEMPLATES[alert.severity]


@dataclass(frozen=True)
class Trim:
    """How much text a card keeps; `None` keeps everything."""

    title: int | None = None
    summary: int | None = None
    figure: int | None = None
    max_figures: int | None = None
    detail: int | None = None
    other: int | None = None  # dedup key, diff-file path; links longer than this are dropped


# Tried in order: first drop rows only, then also shorten texts more and more.
TRIM_LEVELS = (
    Trim(),
    Trim(title=200, summary=4000, figure=300, max_figures=50, detail=300, other=2000),
    Trim(title=150, summary=1000, figure=100, max_figures=20, detail=120, other=1000),
    Trim(title=100, summary=300, figure=60, max_figures=10, detail=60, other=300),
    Trim(title=80, summary=100, figure=40, max_figures=0, detail=40, other=120),
)
# A level is good enough when it shows this many rows (or every row).
ENOUGH_ROWS = 10


def _cut(text: str, limit: int | None) -> str:
    return text if limit is None else truncate(text, limit)


def _md(content: str) -> dict[str, Any]:
    return {"tag": "div", "text": {"tag": "lark_md", "content": content}}


def build_card(alert: Alert, shown_rows: int, trim: Trim | None = None) -> dict[str, Any]:
    """The card showing the first `shown_rows` rows, texts cut as `trim` says."""
    trim = trim or Trim()
    elements: list[dict[str, Any]] = []
    summary = _cut(alert.summary, trim.summary)
    if summary:
        elements.append(_md(summary))

    figures = alert.figures if trim.max_figures is None else alert.figures[: trim.max_figures]
    if figures:
        fields = [
            {
                "is_short": True,
                "text": {
                    "tag": "lark_md",
                    "content": f"**{_cut(label, trim.figure)}**\n{_cut(value, trim.figure)}",
                },
            }
            for label, value in figures
        ]
        elements.append({"tag": "div", "fields": fields})
    if len(figures) < len(alert.figures):
        elements.append(_md(f"and {len(alert.figures) - len(figures)} more figures"))

    rows = alert.rows[:shown_rows]
    if rows:
        elements.append({"tag": "hr"})
        heading = f"**Top differing orders** ({len(rows)} of {alert.total_rows})"
        lines = [f"{i}. {row_line(row, trim.detail)}" for i, row in enumerate(rows, start=1)]
        elements.append(_md("\n".join([heading, *lines])))
    hidden = alert.total_rows - len(rows)
    if hidden > 0:
        elements.append(_md(f"**{more_line(hidden)}**"))

    buttons = [
        {"tag": "button", "text": {"tag": "plain_text", "content": text}, "type": kind, "url": url}
        for text, kind, url in (
            (LINK_BUTTON_TEXT, "primary", alert.link),
            (DIFF_BUTTON_TEXT, "default", alert.diff_url),
        )
        if url and (trim.other is None or len(url) <= trim.other)
    ]
    if buttons:
        elements.append({"tag": "action", "actions": buttons})

    notes = [f"Incident: {_cut(alert.dedup_key, trim.other)}", alert.created_at.isoformat()]
    if alert.diff_file is not None:
        notes.append(f"Full diff: {_cut(alert.diff_file.name, trim.other)}")
        notes.append(f"at {_cut(str(alert.diff_file), trim.other)}")
    elements.append(
        {"tag": "note", "elements": [{"tag": "plain_text", "content": " · ".join(notes)}]}
    )

    return {
        "config": {"wide_screen_mode": True},
        "header": {
            "template": card_template(alert),
            "title": {"tag": "plain_text", "content": _cut(headline(alert), trim.title)},
        },
        "elements": elements,
    }


def _most_rows(alert: Alert, trim: Trim, fits: Callable[[dict[str, Any]], bool]) -> int | None:
    """The most rows a card with `trim` can show and still fit, or None if none fits."""
    if not fits(build_card(alert, 0, trim)):
        return None
    low, high = 0, len(alert.rows)  # low always fits
    while low < high:
        middle = (low + high + 1) // 2
        if fits(build_card(alert, middle, trim)):
            low = middle
        else:
            high = middle - 1
    return low


def fit_card(
    alert: Alert, size_of: Callable[[dict[str, Any]], int], max_bytes: int
) -> tuple[dict[str, Any], int]:
    """The fullest card whose body, as measured by `size_of`, is at most `max_bytes`.

    Rows are dropped from the end first, then texts are shortened step by step; the card
    always says how many differing orders it leaves out. Returns the card and rows shown.
    """

    def fits(card: dict[str, Any]) -> bool:
        return size_of(card) <= max_bytes

    best: tuple[Trim, int] | None = None
    for trim in TRIM_LEVELS:
        shown = _most_rows(alert, trim, fits)
        if shown is None:
            continue
        if best is None or shown > best[1]:
            best = (trim, shown)
        if shown >= min(ENOUGH_ROWS, len(alert.rows)):
            break
    if best is None:
        # Nothing fits even fully trimmed (absurd inputs): the bare minimum, always small.
        minimal = Trim(title=60, summary=0, figure=0, max_figures=0, detail=0, other=0)
        return build_card(alert, 0, minimal), 0
    trim, shown = best
    return build_card(alert, shown, trim), shown
