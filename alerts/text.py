"""Plain-text rendering of alerts, shared by every channel (Slack fallback text, logs)."""

from __future__ import annotations

from alerts.message import Alert
from domain.findings import DiffRow

ELLIPSIS = "…"
SEPARATOR = " · "


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, marked with an ellipsis when cut."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + ELLIPSIS


def headline(alert: Alert) -> str:
    """The title with what kind of alert it is, e.g. "[CRITICAL] JD orders drift"."""
    if alert.kind == "firing":
        label = alert.severity.upper()
    elif alert.kind == "recovered":
        label = "RECOVERED"
    else:
        label = f"ESCALATION · {alert.severity.upper()}"
    return f"[{label}] {alert.title}"


def row_line(row: DiffRow, detail_limit: int | None = None) -> str:
    """One differing order on one line: key · platform · issue · reason · detail."""
    detail = row.detail if detail_limit is None else truncate(row.detail, detail_limit)
    return SEPARATOR.join((row.unified_key, row.platform, row.issue, row.reason_code, detail))


def more_line(hidden: int) -> str:
    """The "and N more" note for differing orders not shown."""
    noun = "differing order" if hidden == 1 else "differing orders"
    return f"and {hidden} more {noun}"


def render_text(alert: Alert, *, max_rows: int = 20) -> str:
    """The whole alert as plain text (at most `max_rows` rows, then "and N more")."""
    lines = [headline(alert), alert.summary]
    lines += [f"{label}: {value}" for label, value in alert.figures]
    shown = alert.rows[:max_rows]
    if shown:
        lines.append("Top differing orders:")
        lines += [f"- {row_line(row)}" for row in shown]
    hidden = alert.total_rows - len(shown)
    if hidden > 0:
        lines.append(more_line(hidden))
    if alert.link:
        lines.append(f"Details: {alert.link}")
    if alert.diff_url:
        lines.append(f"Full diff: {alert.diff_url}")
    elif alert.diff_file is not None:
        lines.append(f"Full diff: {alert.diff_file}")
    return "\n".join(line for line in lines if line)
