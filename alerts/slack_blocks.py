"""Slack Block Kit messages for alerts, kept within Slack's block and text limits."""

from __future__ import annotations

from typing import Any

from alerts.message import Alert
from alerts.text import headline, more_line, render_text, row_line, truncate

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELDS_PER_SECTION = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_TEXT = 2000
MAX_BUTTON_URL = 3000
MAX_FALLBACK_TEXT = 3000
MAX_FIGURE_SECTIONS = 5
MAX_DETAIL = 300

LINK_BUTTON_TEXT = "Open in Dagster"


def escape_mrkdwn(text: str) -> str:
    """Text made literal for Slack mrkdwn (only &, < and > are special)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn_text(text: str, limit: int) -> str:
    """`text` escaped for mrkdwn, cut so the escaped form has at most `limit` characters."""
    keep = min(len(text), limit)
    escaped = escape_mrkdwn(truncate(text, keep))
    while len(escaped) > limit:
        # Each escape adds at most 4 characters; shrink the raw text by the overshoot.
        keep = max(keep - (len(escaped) - limit), 0)
        escaped = escape_mrkdwn(truncate(text, keep))
    return escaped


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(*texts: str) -> dict[str, Any]:
    elements = [{"type": "mrkdwn", "text": truncate(t, MAX_CONTEXT_TEXT)} for t in texts if t]
    return {"type": "context", "elements": elements}


def fallback_text(alert: Alert) -> str:
    """The notification / accessibility text sent along with the blocks."""
    return truncate(render_text(alert, max_rows=10), MAX_FALLBACK_TEXT)


def _figure_sections(alert: Alert) -> tuple[list[dict[str, Any]], int]:
    """Figure sections (≤ 10 fields each) and how many figures did not fit."""
    shown = alert.figures[: MAX_FIGURE_SECTIONS * MAX_FIELDS_PER_SECTION]
    fields = [
        {
            "type": "mrkdwn",
            "text": mrkdwn_text(f"*{label}*\n{value}", MAX_FIELD_TEXT),
        }
        for label, value in shown
    ]
    sections = [
        {"type": "section", "fields": fields[i : i + MAX_FIELDS_PER_SECTION]}
        for i in range(0, len(fields), MAX_FIELDS_PER_SECTION)
    ]
    return sections, len(alert.figures) - len(shown)


def _row_sections(alert: Alert, max_rows: int, max_sections: int) -> tuple[list[dict], int]:
    """Sections listing the top rows (each ≤ 3,000 chars) and how many rows they show."""
    rows = alert.rows[:max_rows]
    if not rows or max_sections <= 0:
        return [], 0
    heading = f"*Top differing orders* ({len(rows)} of {alert.total_rows} shown)"
    sections: list[str] = [heading]
    shown = 0
    for row in rows:
        line = "• " + mrkdwn_text(row_line(row, MAX_DETAIL), MAX_SECTION_TEXT - 2)
        if len(sections[-1]) + 1 + len(line) <= MAX_SECTION_TEXT:
            sections[-1] += "\n" + line
        elif len(sections) < max_sections:
            sections.append(line)
        else:
            break
        shown += 1
    if shown < len(rows):  # fewer fit than the heading promised
        first = sections[0].split("\n", 1)
        first[0] = f"*Top differing orders* ({shown} of {alert.total_rows} shown)"
        sections[0] = "\n".join(first)
    return [_section(text) for text in sections], shown


def build_blocks(alert: Alert, *, max_rows: int = 30) -> list[dict[str, Any]]:
    """The message blocks: header, summary, figures, top rows, "and N more", link, footer."""
    header = {
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(headline(alert), MAX_HEADER_TEXT)},
    }
    top: list[dict[str, Any]] = [header]
    if alert.summary:
        top.append(_section(mrkdwn_text(alert.summary, MAX_SECTION_TEXT)))
    figure_sections, hidden_figures = _figure_sections(alert)
    top += figure_sections

    bottom: list[dict[str, Any]] = []
    if alert.link and len(alert.link) <= MAX_BUTTON_URL:
        button = {
            "type": "button",
            "text": {"type": "plain_text", "text": LINK_BUTTON_TEXT},
            "url": alert.link,
            "action_id": "open_link",
        }
        bottom.append({"type": "actions", "elements": [button]})
    footer = [f"Incident `{mrkdwn_text(alert.dedup_key, 200)}`", alert.created_at.isoformat()]
    if alert.diff_file is not None:
        footer.append(f"Full diff: `{mrkdwn_text(alert.diff_file.name, 200)}` (attached)")
    bottom.append(_context(" · ".join(footer)))

    # One block is kept for the "and N more" context.
    room = MAX_BLOCKS - len(top) - len(bottom) - 1
    row_sections, shown = _row_sections(alert, max_rows, room)
    notes = []
    if alert.total_rows > shown:
        notes.append(f"*{more_line(alert.total_rows - shown)}*")
    if hidden_figures:
        notes.append(f"and {hidden_figures} more figures")
    more = [_context(*notes)] if notes else []
    return top + row_sections + more + bottom
