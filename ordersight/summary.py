"""The demo summary: what landed in the marts, read back from the warehouse."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg


@dataclass
class Summary:
    orders: int = 0
    by_platform: dict[str, int] = field(default_factory=dict)
    by_state: dict[str, int] = field(default_factory=dict)
    cancelled: int = 0
    on_hold: int = 0
    by_refund_status: dict[str, int] = field(default_factory=dict)
    missing_from_erp: int = 0
    missing_from_ledger: int = 0
    key_modes: dict[str, int] = field(default_factory=dict)
    quarantined: dict[str, int] = field(default_factory=dict)
    truth_orders: int | None = None
    truth_state_agreement: float | None = None


def _counts(conn: psycopg.Connection, sql: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in conn.execute(sql).fetchall()}


def collect(conn: psycopg.Connection) -> Summary:
    s = Summary()
    s.orders = conn.execute("select count(*) from marts.fct_orders").fetchone()[0]
    s.by_platform = _counts(
        conn, "select platform, count(*) from marts.fct_orders group by 1 order by 2 desc"
    )
    s.by_state = _counts(
        conn,
        "select state, count(*) from marts.fct_orders group by 1 order by "
        "array_position(array['created','paid','picking','shipped','completed'], state)",
    )
    s.cancelled, s.on_hold, s.missing_from_erp, s.missing_from_ledger = conn.execute(
        """
        select count(*) filter (where is_cancelled),
               count(*) filter (where is_on_hold),
               count(*) filter (where paid_at is not null and not in_erp),
               count(*) filter (where paid_at is not null and not is_on_hold and not in_ledger)
        from marts.fct_orders
        """
    ).fetchone()
    s.by_refund_status = _counts(
        conn, "select refund_status, count(*) from marts.fct_orders group by 1 order by 2 desc"
    )
    s.key_modes = _counts(conn, "select key_mode, count(*) from marts.fct_orders group by 1")
    s.quarantined = _counts(
        conn,
        "select source || ': ' || reason_kind, count(*) "
        "from intermediate.int_payloads__quarantined group by 1 order by 2 desc",
    )
    has_truth = conn.execute("select to_regclass('sim.orders') is not null").fetchone()[0]
    if has_truth:
        total, agree = conn.execute(
            """
            select count(*), count(*) filter (where o.state = t.expected_state
                                               and o.is_cancelled = t.expected_is_cancelled
                                               and o.refund_status = t.expected_refund_status
                                               and o.is_on_hold = t.expected_is_on_hold)
            from sim.orders t
            left join marts.fct_orders o
              on o.platform = t.platform and o.native_order_id = t.native_id
            where not t.expect_quarantine
            """
        ).fetchone()
        s.truth_orders = total
        s.truth_state_agreement = (agree / total) if total else None
    return s


def _line(label: str, counts: dict[str, int]) -> str:
    return f"  {label:<22}" + ", ".join(f"{k} {v:,}" for k, v in counts.items())


def render(s: Summary) -> str:
    lines = [
        "ordersight — summary",
        f"  {'orders':<22}{s.orders:,}",
        _line("per platform", s.by_platform),
        _line("per standard state", s.by_state),
        f"  {'cancelled':<22}{s.cancelled:,}",
        f"  {'on hold (risk control)':<22}{s.on_hold:,}",
        _line("refunds", {k: v for k, v in s.by_refund_status.items() if k != "none"}),
        f"  {'paid, missing in ERP':<22}{s.missing_from_erp:,}",
        f"  {'paid, not in ledger':<22}{s.missing_from_ledger:,}  (held orders excluded)",
        _line("unified keys by mode", s.key_modes),
        _line("quarantined payloads", s.quarantined or {"none": 0}),
    ]
    if s.truth_state_agreement is not None:
        lines.append(
            f"  {'vs ground truth':<22}{s.truth_state_agreement:.2%} of {s.truth_orders:,} "
            "simulated orders have the intended state, cancel, refund and hold flags"
        )
    return "\n".join(lines)
