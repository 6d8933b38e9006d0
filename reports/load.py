"""Read one month of the consistency report from the ``marts`` schema (psycopg 3).

A month is a China-time (Asia/Shanghai) calendar month. Every query is restricted to that
month with half-open ``[start, end)`` range predicates on a timestamp column and does its
counting on the server; only per-channel, per-day and per-case rows come back.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import psycopg

from domain.china_time import CHINA_TZ_NAME
from reports.model import (
    CHANNELS,
    ChannelStats,
    DriftPoint,
    MisjudgementCase,
    MonthlyReport,
    cause_for,
)

#: Fields checked for completeness, in the order used to break ties.
PRESENCE_FIELDS: tuple[str, ...] = ("receiver_name", "receiver_phone", "paid_at", "payment_fen")

_BOUNDS_SQL = f"""
select (%(month)s::date)::timestamp at time zone '{CHINA_TZ_NAME}',
       ((%(month)s::date) + interval '1 month') at time zone '{CHINA_TZ_NAME}'
"""

_CHANNELS_SQL = """
select platform,
       count(*),
       count(*) filter (where paid_at is not null),
       count(*) filter (where paid_at is not null and in_erp is not true),
       count(*) filter (
           where paid_at is not null and is_on_hold is not true and in_ledger is not true
       )
from marts.fct_orders
where created_at >= %(lo)s and created_at < %(hi)s
group by platform
"""

_PRESENCE_SQL = """
select platform,
       count(*) filter (where receiver_name is null),
       count(*) filter (where receiver_phone is null),
       count(*) filter (where paid_at is null and state is not null and state <> 'created'),
       count(*) filter (where payment_fen is null)
from marts.fct_order_field_presence
where created_at >= %(lo)s and created_at < %(hi)s
group by platform
"""

# One case per (order, other system, reason): the latest window of the month that saw it.
_MISJUDGEMENTS_SQL = """
select distinct on (coalesce(d.unified_key, d.native_order_id), d.source_system, d.reason_code)
       d.unified_key,
       d.native_order_id,
       coalesce(d.platform, o.platform),
       o.state,
       d.source_system,
       d.reason_code,
       d.detail
from marts.fct_reconciliation_diffs as d
left join marts.fct_orders as o on o.unified_key = d.unified_key
where d.issue = 'status_mismatch'
  and d.window_start >= %(lo)s and d.window_start < %(hi)s
order by coalesce(d.unified_key, d.native_order_id), d.source_system, d.reason_code,
         d.window_start desc
"""

_REASONS_SQL = """
select coalesce(reason_code, 'unspecified'),
       count(distinct coalesce(unified_key, native_order_id))
from marts.fct_reconciliation_diffs
where window_start >= %(lo)s and window_start < %(hi)s
group by 1
order by 2 desc, 1
"""

_DRIFT_SQL = f"""
with w as (
    select (window_start at time zone '{CHINA_TZ_NAME}')::date as day,
           source_system,
           greatest(abs(count_drift), abs(amount_drift)) as drift,
           is_drifting
    from marts.fct_reconciliation_windows
    where window_start >= %(lo)s and window_start < %(hi)s
)
select day,
       source_system,
       coalesce(max(drift), 0)::float8,
       coalesce(avg(drift), 0)::float8,
       count(*) filter (where is_drifting),
       count(*)
from w
group by day, source_system
order by day, source_system
"""

#: Names a source system goes by in diff text (the ERP is Yonyou U8).
_SYSTEM_ALIASES: dict[str, tuple[str, ...]] = {
    "u8": ("u8", "erp"),
    "erp": ("erp", "u8"),
    "ledger": ("ledger", "finance"),
}


def month_start(month: date) -> date:
    """The first day of the month holding ``month`` (a ``datetime`` is reduced to its date)."""
    return date(month.year, month.month, 1)


def other_status_from_detail(detail: str | None, source_system: str) -> str:
    """The other system's status, taken from a diff row's human ``detail`` text.

    Understood forms, first match wins (case-insensitive, ``=`` or ``:``):
    ``"u8_status=cancelled platform_status=paid"`` (the system's own key, ``other_status`` or a
    bare ``status``/``state``); ``"ERP status 已取消 vs platform paid"`` (the text before ``vs``
    minus the system's name and the word "status"). Anything else is returned whole, trimmed.
    """
    text = (detail or "").strip()
    if not text:
        return ""
    system = source_system.lower()
    names = _SYSTEM_ALIASES.get(system, (system,)) if system else ()
    prefixes = "|".join(re.escape(n) + "_" for n in (*names, "other")) + "|"
    keyed = re.search(
        rf"(?<![\w])(?:{prefixes})(?:status|state)\s*[=:]\s*(?P<value>[^\s,;|]+)",
        text,
        re.IGNORECASE,
    )
    if keyed:
        return keyed.group("value")
    versus = re.match(r"(?P<left>.*?)\s+vs\.?\s+", text, re.IGNORECASE)
    if versus:
        words = versus.group("left").replace(":", " ").split()
        while words and words[0].lower() in {*names, "status", "state"}:
            words.pop(0)
        if words:
            return " ".join(words)
    return text


def _top_fields(counts: dict[str, int]) -> tuple[tuple[str, int], ...]:
    ranked = sorted(
        ((name, n) for name, n in counts.items() if n > 0),
        key=lambda item: (-item[1], PRESENCE_FIELDS.index(item[0])),
    )
    return tuple(ranked[:3])


def _channel_order(channel: str) -> tuple[int, str]:
    return (CHANNELS.index(channel), "") if channel in CHANNELS else (len(CHANNELS), channel)


def load_monthly_report(
    conn: psycopg.Connection,
    month: date,
    *,
    generated_at: datetime | None = None,
) -> MonthlyReport:
    """Read the consistency report of the China-time month holding ``month``.

    Reads ``marts.fct_orders``, ``marts.fct_order_field_presence``,
    ``marts.fct_reconciliation_diffs`` and ``marts.fct_reconciliation_windows``.
    The four channels TB, JD, PDD and WX are always listed; other platforms found in the data
    follow them. A day's drift is the larger of ``|count_drift|`` and ``|amount_drift|`` per
    window. Status misjudgements are one case per (order, other system, reason code), however
    many 30-min windows repeated it. ``generated_at`` defaults to now (UTC).
    """
    first = month_start(month)
    with conn.cursor() as cur:
        lo, hi = cur.execute(_BOUNDS_SQL, {"month": first}).fetchone()
        bounds = {"lo": lo, "hi": hi}

        orders = {row[0]: row[1:] for row in cur.execute(_CHANNELS_SQL, bounds).fetchall()}
        presence = {
            row[0]: dict(zip(PRESENCE_FIELDS, row[1:], strict=True))
            for row in cur.execute(_PRESENCE_SQL, bounds).fetchall()
        }
        case_rows = cur.execute(_MISJUDGEMENTS_SQL, bounds).fetchall()
        reason_rows = cur.execute(_REASONS_SQL, bounds).fetchall()
        drift_rows = cur.execute(_DRIFT_SQL, bounds).fetchall()

    names = sorted(
        set(CHANNELS) | {p for p in orders if p is not None} | {p for p in presence if p},
        key=_channel_order,
    )
    channels = []
    for name in names:
        n, paid, no_erp, no_ledger = orders.get(name, (0, 0, 0, 0))
        channels.append(
            ChannelStats(
                channel=name,
                orders=int(n),
                paid_orders=int(paid),
                missing_in_erp=int(no_erp),
                missing_in_ledger=int(no_ledger),
                missing_rate=(no_erp + no_ledger) / paid if paid else 0.0,
                top_missing_fields=_top_fields(presence.get(name, {})),
            )
        )

    cases = [
        MisjudgementCase(
            unified_key=key or "",
            channel=channel or "",
            platform_state=state or "",
            other_system=system or "",
            other_status=other_status_from_detail(detail, system or ""),
            reason_code=code or "unspecified",
            cause=cause_for(code or "unspecified"),
            native_order_id=native or "",
        )
        for key, native, channel, state, system, code, detail in case_rows
    ]
    cases.sort(
        key=lambda c: (
            _channel_order(c.channel),
            c.reason_code,
            c.unified_key or c.native_order_id,
            c.other_system,
        )
    )

    return MonthlyReport(
        month=first,
        generated_at=generated_at or datetime.now(UTC),
        channels=tuple(channels),
        misjudgements=tuple(cases),
        drift=tuple(
            DriftPoint(
                day=day,
                source_system=system or "",
                max_drift=float(max_d),
                mean_drift=float(mean_d),
                drifting_windows=int(drifting),
                windows=int(windows),
            )
            for day, system, max_d, mean_d, drifting, windows in drift_rows
        ),
        reason_counts=tuple((str(code), int(n)) for code, n in reason_rows),
    )
