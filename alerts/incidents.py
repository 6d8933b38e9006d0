"""Incident bookkeeping: one message when an incident starts, none while it persists, one when
it clears; and one escalation message per batch of board items red for too long.

State lives in `reports.alert_incidents`, so it survives restarts and is shared by every
process that alerts (sensor ticks, the demo).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from alerts.message import Alert
from domain.dbt_vars import interval_text
from domain.findings import DiffRow
from domain.rules import ESCALATE_AFTER

_ESCALATE_TEXT = interval_text(ESCALATE_AFTER)  # "2 hours"


@dataclass(frozen=True)
class IncidentState:
    """What one monitored thing (a check, a job) looks like now."""

    dedup_key: str
    healthy: bool
    title: str
    summary: str = ""
    severity: str = "critical"
    figures: tuple[tuple[str, str], ...] = ()
    rows: tuple[DiffRow, ...] = ()
    total_rows: int = 0
    diff_file: Path | None = None
    diff_url: str | None = None
    link: str | None = None
    extra: dict = field(default_factory=dict)


def ensure_incident_table(conn: psycopg.Connection) -> None:
    conn.execute("create schema if not exists reports")
    conn.execute(
        """
        create table if not exists reports.alert_incidents (
            dedup_key text primary key,
            title text not null,
            opened_at timestamptz not null default now(),
            last_seen_at timestamptz not null default now(),
            resolved_at timestamptz,
            notifications integer not null default 1
        )
        """
    )
    conn.commit()


def incident_alerts(conn: psycopg.Connection, states: Iterable[IncidentState]) -> list[Alert]:
    """Record each state and return the alerts its change calls for (firing or recovered)."""
    ensure_incident_table(conn)
    alerts: list[Alert] = []
    for state in states:
        is_open = conn.execute(
            "select 1 from reports.alert_incidents where dedup_key = %s and resolved_at is null",
            (state.dedup_key,),
        ).fetchone()
        if not state.healthy and not is_open:
            conn.execute(
                """
                insert into reports.alert_incidents (dedup_key, title) values (%s, %s)
                on conflict (dedup_key) do update
                set title = excluded.title, opened_at = now(), last_seen_at = now(),
                    resolved_at = null,
                    notifications = reports.alert_incidents.notifications + 1
                """,
                (state.dedup_key, state.title),
            )
            alerts.append(_alert(state, "firing", state.severity))
        elif not state.healthy:
            conn.execute(
                "update reports.alert_incidents set last_seen_at = now() where dedup_key = %s",
                (state.dedup_key,),
            )
        elif is_open:
            conn.execute(
                "update reports.alert_incidents set resolved_at = now(), last_seen_at = now(), "
                "notifications = notifications + 1 where dedup_key = %s",
                (state.dedup_key,),
            )
            alerts.append(_alert(state, "recovered", "info"))
    conn.commit()
    return alerts


def _alert(state: IncidentState, kind: str, severity: str) -> Alert:
    title = state.title if kind == "firing" else f"Recovered: {state.title}"
    return Alert(
        dedup_key=state.dedup_key,
        kind=kind,
        severity=severity,
        title=title,
        summary=state.summary,
        figures=state.figures,
        rows=state.rows if kind == "firing" else (),
        total_rows=state.total_rows if kind == "firing" else 0,
        link=state.link,
        diff_file=state.diff_file if kind == "firing" else None,
        diff_url=state.diff_url if kind == "firing" else None,
    )


ESCALATED_ITEMS_SQL = """
    select b.item_key, coalesce(b.unified_key, ''), coalesce(b.platform, ''),
           coalesce(b.native_order_id, ''), coalesce(b.issues, ''), b.reason_code,
           coalesce(b.detail, ''), b.red_since
    from marts.fct_reconciliation_board b
    where b.escalated
      and not exists (
          select 1 from reports.alert_incidents i
          where i.dedup_key = 'escalation:' || b.item_key and i.resolved_at is null
      )
    order by b.red_since, b.item_key
"""


def escalation_alerts(
    conn: psycopg.Connection, *, link: str | None = None, max_rows: int = 50
) -> list[Alert]:
    """Messages about board items escalated to IT (red longer than ``ESCALATE_AFTER``): one
    for the items escalated since the last call, one for the escalated items that are no
    longer (turned yellow or green).

    Each item is an incident of its own: announced once, and closed when it clears.
    """
    ensure_incident_table(conn)
    cleared = [
        key.removeprefix("escalation:")
        for (key,) in conn.execute(
            """
        update reports.alert_incidents i set resolved_at = now()
        where i.dedup_key like 'escalation:%%' and i.resolved_at is null
          and not exists (
              select 1 from marts.fct_reconciliation_board b
              where 'escalation:' || b.item_key = i.dedup_key and b.escalated
          )
        returning i.dedup_key
        """
        ).fetchall()
    ]
    alerts = [_cleared_alert(sorted(cleared), link)] if cleared else []
    items = conn.execute(ESCALATED_ITEMS_SQL).fetchall()
    if not items:
        conn.commit()
        return alerts
    with conn.cursor() as cur:
        cur.executemany(
            "insert into reports.alert_incidents (dedup_key, title) values (%s, %s) "
            "on conflict (dedup_key) do update set resolved_at = null, opened_at = now(), "
            "last_seen_at = now()",
            [(f"escalation:{item[0]}", f"board item {item[0]} escalated to IT") for item in items],
        )
    conn.commit()
    oldest = items[0][7]
    digest = hashlib.sha256("|".join(item[0] for item in items).encode()).hexdigest()[:12]
    return [
        *alerts,
        Alert(
            dedup_key=f"board-escalation:{digest}",
            kind="escalation",
            severity="critical",
            title=(
                f"{len(items)} reconciliation item(s) red for over {_ESCALATE_TEXT}: assigned to IT"
            ),
            summary=(
                "These orders have been unmatched (red on the finance board) for more than "
                f"{_ESCALATE_TEXT} and are now assigned to IT for investigation."
            ),
            figures=(
                ("escalated items", str(len(items))),
                ("red since (oldest)", oldest.strftime("%Y-%m-%d %H:%M UTC")),
            ),
            rows=tuple(
                DiffRow(
                    unified_key=item[1],
                    platform=item[2],
                    native_order_id=item[3],
                    issue=item[4],
                    reason_code=item[5],
                    detail=item[6],
                )
                for item in items[:max_rows]
            ),
            total_rows=len(items),
            link=link,
        ),
    ]


def _cleared_alert(item_keys: list[str], link: str | None) -> Alert:
    digest = hashlib.sha256("|".join(item_keys).encode()).hexdigest()[:12]
    shown = ", ".join(item_keys[:20]) + (
        f" and {len(item_keys) - 20} more" if len(item_keys) > 20 else ""
    )
    return Alert(
        dedup_key=f"board-escalation:{digest}",
        kind="recovered",
        severity="info",
        title=f"{len(item_keys)} escalated reconciliation item(s) no longer red",
        summary=f"Matched or handed to a person since they were escalated to IT: {shown}.",
        figures=(("cleared items", str(len(item_keys))),),
        link=link,
    )
