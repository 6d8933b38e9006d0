"""The demo summary: what landed in the marts, read back from the warehouse."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

from domain.rules import DRIFT_THRESHOLD, as_percent
from domain.sources import SOURCE_SYSTEM_CODES
from reports.scoring import score_detection


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
    drift: list[dict] = field(default_factory=list)
    board: dict[str, int] = field(default_factory=dict)
    escalated: int = 0
    detection: dict[str, float] = field(default_factory=dict)
    latency_seconds: dict[str, float] = field(default_factory=dict)


def _counts(conn: psycopg.Connection, sql: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in conn.execute(sql).fetchall()}


def collect(conn: psycopg.Connection) -> Summary:
    s = Summary()
    s.orders = conn.execute("select count(*) from marts.fct_orders").fetchone()[0]
    s.by_platform = _counts(
        conn, "select platform, count(*) from marts.fct_orders group by 1 order by 2 desc, 1"
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
        conn, "select refund_status, count(*) from marts.fct_orders group by 1 order by 2 desc, 1"
    )
    s.key_modes = _counts(conn, "select key_mode, count(*) from marts.fct_orders group by 1")
    s.quarantined = _counts(
        conn,
        "select source || ': ' || reason_kind, count(*) "
        "from intermediate.int_payloads__quarantined group by 1 order by 2 desc, 1",
    )
    s.drift = [
        {
            "source": r[0],
            "windows": r[1],
            "drifting": r[2],
            "max_pct": float(r[3]),
            "mean_pct": float(r[4]),
            "source_count": r[5],
            "store_count": r[6],
        }
        for r in conn.execute(
            """
            select source_system, count(*), count(*) filter (where is_drifting),
                   round(100 * max(greatest(count_drift, amount_drift)), 2),
                   round(100 * avg(greatest(count_drift, amount_drift)), 3),
                   sum(source_paid_count), sum(store_paid_count)
            from marts.fct_reconciliation_windows
            group by 1
            order by array_position(%(board_order)s::text[], source_system)
            """,
            {"board_order": list(SOURCE_SYSTEM_CODES)},
        ).fetchall()
    ]
    s.board = _counts(
        conn,
        "select color, count(*) from marts.fct_reconciliation_board group by 1 "
        "order by array_position(array['green','yellow','red'], color)",
    )
    s.escalated = conn.execute(
        "select count(*) from marts.fct_reconciliation_board where escalated"
    ).fetchone()[0]
    p50, p95, worst = conn.execute(
        """
        select percentile_cont(0.5) within group (order by seconds),
               percentile_cont(0.95) within group (order by seconds), max(seconds)
        from (select extract(epoch from board_built_at - source_changed_at) as seconds
              from marts.fct_reconciliation_board where source_changed_at is not null) latency
        """
    ).fetchone()
    if p50 is not None:
        s.latency_seconds = {"p50": float(p50), "p95": float(p95), "max": float(worst)}
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
        score = score_detection(conn)
        s.detection = {
            "faulty_orders": score.faulty,
            "flagged_faulty": score.true_positives,
            "false_positives": score.false_positives,
            "precision": score.precision,
            "recall": score.recall,
            "false_positive_rate": score.false_positive_rate,
            "reason_accuracy": score.reason_accuracy,
        }
    return s


def _line(label: str, counts: dict[str, int]) -> str:
    return f"  {label:<24}" + ", ".join(f"{k} {v:,}" for k, v in counts.items())


def render(s: Summary) -> str:
    lines = [
        "ordersight — summary",
        f"  {'orders':<24}{s.orders:,}",
        _line("per platform", s.by_platform),
        _line("per standard state", s.by_state),
        f"  {'cancelled':<24}{s.cancelled:,}",
        f"  {'on hold (risk control)':<24}{s.on_hold:,}",
        _line("refunds", {k: v for k, v in s.by_refund_status.items() if k != "none"}),
        f"  {'paid, missing in ERP':<24}{s.missing_from_erp:,}",
        f"  {'paid, not in ledger':<24}{s.missing_from_ledger:,}  (held orders excluded)",
        _line("unified keys by mode", s.key_modes),
        _line("quarantined payloads", s.quarantined or {"none": 0}),
    ]
    lines.append(
        "  reconciliation per source system (30-minute windows; drift = |source − store| / source):"
    )
    over = as_percent(DRIFT_THRESHOLD)
    for d in s.drift:
        lines.append(
            f"    {d['source']:<7} {d['windows']:>5,} windows, {d['drifting']:>5,} over {over}, "
            f"max {d['max_pct']:.2f} %, mean {d['mean_pct']:.3f} %  "
            f"(paid: source {d['source_count']:,} vs store {d['store_count']:,})"
        )
    lines.append(_line("board", s.board) + f"; escalated to IT {s.escalated:,}")
    if s.latency_seconds:
        lat = s.latency_seconds
        lines.append(
            f"  {'reconciliation latency':<24}p50 {lat['p50']:.0f} s, p95 {lat['p95']:.0f} s, "
            f"max {lat['max']:.0f} s (from a change landing to its appearance on the board)"
        )
    if s.detection:
        d = s.detection
        lines.append(
            f"  {'detection vs truth':<24}precision {d['precision']:.2%}, recall {d['recall']:.2%}"
            f" ({d['flagged_faulty']:,}/{d['faulty_orders']:,} faulty orders flagged), "
            f"false positives {d['false_positive_rate']:.2%} of clean orders, "
            f"right reason {d['reason_accuracy']:.2%}"
        )
    if s.truth_state_agreement is not None:
        lines.append(
            f"  {'vs ground truth':<24}{s.truth_state_agreement:.2%} of {s.truth_orders:,} "
            "simulated orders have the intended state, cancel, refund and hold flags"
        )
    return "\n".join(lines)
