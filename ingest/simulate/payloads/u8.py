"""Yonyou U8 sales orders (OpenAPI `salesorder` get) for paid platform orders, with ERP faults."""

from __future__ import annotations

from ingest.simulate.formats import china_seconds, utc_naive_seconds, yuan
from ingest.simulate.lifecycle import ERP_APPROVED, OrderPlan

CUSTOMER_CODES = {"TB": "TMALL01", "JD": "JD01", "PDD": "PDD01", "WX": "WX01"}
_CUSTOMER = {
    code: f',"ccuscode":"{customer}","cdefine1":"{code}","cdefine2":"'
    for code, customer in CUSTOMER_CODES.items()
}


def erp_isum(plan: OrderPlan) -> str:
    """The isum the ERP holds: the payment in yuan, or what a fault made of it."""
    if plan.erp_amount_fault == "unit":
        return str(plan.payment_fen)
    if plan.erp_amount_fault == "shift":
        return yuan(plan.post_fen)
    return yuan(plan.payment_fen)


def erp_create_time(plan: OrderPlan) -> str:
    """dcreatesystime as written: China time, or naive UTC under the time-zone-drift fault."""
    if plan.erp_tz_drift:
        return utc_naive_seconds(plan.erp_at)
    return china_seconds(plan.erp_at)


class U8Book:
    """Allocates `csocode`s (`SO` + China date + per-day counter) and renders sales orders."""

    def __init__(self) -> None:
        self._per_day: dict[str, int] = {}

    def render(self, plan: OrderPlan) -> tuple[str, list[tuple[int, str]]]:
        """(csocode, [(epoch ms, payload)]): approved on entry, closed/void later if it ends."""
        entered = china_seconds(plan.erp_at)
        day = entered[:10]
        compact = day.replace("-", "")
        serial = self._per_day.get(compact, 0) + 1
        self._per_day[compact] = serial
        csocode = f"SO{compact}{serial:06d}"
        faulty = plan.erp_tz_drift or plan.erp_amount_fault is not None
        head = (
            f'{{"csocode":"{csocode}","ddate":"{day}","dcreatesystime":"'
            f'{erp_create_time(plan) if faulty else entered}"{_CUSTOMER[plan.code]}'
            f'{plan.native_id}","state":"'
        )
        tail = f'","isum":"{erp_isum(plan) if faulty else yuan(plan.payment_fen)}","cmemo":""}}'
        versions = [(plan.erp_at, head + ERP_APPROVED + tail)]
        if plan.erp_final_state is not None:
            versions.append((plan.erp_final_at, head + plan.erp_final_state + tail))
        return csocode, versions
