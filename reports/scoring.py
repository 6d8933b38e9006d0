"""Scores the reconciliation against the simulator's ground truth: precision, recall, reasons.

A simulated order is *faulty* when it carries a fault that makes the systems disagree; it is
*flagged* when the board shows it red. The right reason is the one its fault implies.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

# injected fault → the reason code the reconciliation should give it
EXPECTED_REASON: dict[str, str] = {
    "missing_in_erp": "erp_not_received",
    "missing_in_ledger": "ledger_not_received",
    "pdd_refund_only_as_cancelled": "pdd_refund_only_as_cancelled",
    "erp_amount_unit_error": "amount_unit_error",
    "erp_field_shift": "field_mapping_error",
    "erp_timezone_drift": "timezone_drift",
}


@dataclass(frozen=True)
class DetectionScore:
    faulty: int
    clean: int
    true_positives: int
    false_positives: int
    right_reason: int

    @property
    def recall(self) -> float:
        return self.true_positives / self.faulty if self.faulty else 1.0

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def false_positive_rate(self) -> float:
        return self.false_positives / self.clean if self.clean else 0.0

    @property
    def reason_accuracy(self) -> float:
        return self.right_reason / self.true_positives if self.true_positives else 1.0


SCORE_SQL = """
    with expected(fault, reason_code) as (
        select * from unnest(%(faults)s::text[], %(reasons)s::text[])
    ),
    faulty as (
        select f.platform, f.native_id, array_agg(distinct e.reason_code) as reasons
        from sim.faults f join expected e on e.fault = f.fault
        group by f.platform, f.native_id
    ),
    scored as (
        select faulty.reasons is not null as is_faulty,
               coalesce(board.color = 'red', false) as is_flagged,
               board.reason_code = any(faulty.reasons) as right_reason
        from sim.orders truth
        left join faulty
          on faulty.platform = truth.platform and faulty.native_id = truth.native_id
        left join marts.fct_reconciliation_board board
          on board.platform = truth.platform and board.native_order_id = truth.native_id
        where not truth.expect_quarantine
    )
    select count(*) filter (where is_faulty),
           count(*) filter (where not is_faulty),
           count(*) filter (where is_faulty and is_flagged),
           count(*) filter (where not is_faulty and is_flagged),
           count(*) filter (where is_faulty and is_flagged and right_reason)
    from scored
"""


def score_detection(conn: psycopg.Connection) -> DetectionScore:
    """Compare the board with sim.faults / sim.orders (the simulator's ground truth)."""
    row = conn.execute(
        SCORE_SQL,
        {"faults": list(EXPECTED_REASON), "reasons": list(EXPECTED_REASON.values())},
    ).fetchone()
    return DetectionScore(*row)
