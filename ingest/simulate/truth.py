"""Ground truth for a planned order: the expected standard-model outcome and its faults."""

from __future__ import annotations

from ingest.simulate.formats import china_millis, china_seconds, utc_datetime, yuan
from ingest.simulate.lifecycle import FULL, PARTIAL, REFUND_ONLY, SHIPPED, OrderPlan
from ingest.simulate.model import FaultTruth, OrderTruth, RawRecord
from ingest.simulate.payloads.u8 import erp_create_time, erp_sum


def order_truth(plan: OrderPlan) -> OrderTruth:
    """What a correct pipeline concludes about this (well-formed) order."""
    return OrderTruth(  # positional: this runs once per order
        plan.code,
        plan.native_id,
        utc_datetime(plan.created),
        plan.stage,
        plan.cancelled,
        plan.refund_kind,
        plan.hold,
        plan.payment_fen if plan.pay is not None else 0,
        plan.refund_fen,
        plan.in_erp,
        plan.in_ledger,
        False,
        None,
    )


def order_faults(
    plan: OrderPlan, csocode: str | None, duplicated: RawRecord | None
) -> list[FaultTruth]:
    """Every fault and notable fact of one order, each with the system it lives in."""
    code, native_id, source = plan.code, plan.native_id, plan.source
    out: list[FaultTruth] = []

    def add(system: str, fault: str, detail: str) -> None:
        out.append(FaultTruth(code, native_id, system, fault, detail))

    payment = yuan(plan.payment_fen)
    if plan.refund_kind == PARTIAL:
        add(source, "partial_refund", f"refunded {yuan(plan.refund_fen)} of {payment}")
    elif plan.refund_kind == FULL:
        add(source, "full_refund", f"refunded {payment} in full before shipping")
    elif plan.refund_kind == REFUND_ONLY:
        status = 2 if plan.stage == SHIPPED else 3
        add(source, "pdd_refund_only", f"仅退款 {payment} with order_status {status}")
    if plan.hold:
        add(source, "risk_control_hold", "risk_control_status 1: funds held, no settlement")
    if plan.pay is not None and not plan.in_erp:
        add("u8", "missing_in_erp", "no U8 sales order")
    if plan.in_erp:
        if plan.erp_amount_fault == "unit":
            add("u8", "erp_amount_unit_error", f"sum {erp_sum(plan)} instead of {payment}")
        elif plan.erp_amount_fault == "shift":
            add("u8", "erp_field_shift", f"sum {erp_sum(plan)} (post fee) instead of {payment}")
        if plan.erp_tz_drift:
            add(
                "u8",
                "erp_timezone_drift",
                f"date {erp_create_time(plan)} (UTC) instead of {china_seconds(plan.erp_at)}",
            )
        if plan.erp_refund_only_void:
            add("u8", "pdd_refund_only_as_cancelled", f"{csocode} booked 作废 for a 仅退款 order")
    if plan.pay is not None and not plan.hold and not plan.in_ledger:
        add("ledger", "missing_in_ledger", "no ledger settlement")
    if plan.in_ledger and plan.ledger_epoch:
        add(
            "ledger",
            "ledger_epoch_millis",
            f"booked_at {plan.settled_at} instead of {china_millis(plan.settled_at)}",
        )
    if duplicated is not None:
        add(
            duplicated.source,
            "duplicate_delivery",
            f"{duplicated.source} {duplicated.native_id} version of "
            f"{duplicated.emitted_at.isoformat()} delivered twice",
        )
    return out
