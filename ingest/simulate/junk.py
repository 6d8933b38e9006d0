"""Junk platform orders: one malformed payload each, which the pipeline must quarantine."""

from __future__ import annotations

import json
import random

from domain.sources import SOURCES_BY_NAME
from ingest.simulate.formats import utc_datetime
from ingest.simulate.ids import NativeIds
from ingest.simulate.lifecycle import Planner
from ingest.simulate.model import FaultTruth, OrderTruth, RawRecord
from ingest.simulate.payloads import PLATFORM_RENDERERS

UNKNOWN_STATUS = "unknown_status"
BAD_TIME = "bad_time"
BAD_AMOUNT = "bad_amount"
MISSING_FIELD = "missing_field"
QUARANTINE_KINDS = (UNKNOWN_STATUS, BAD_TIME, BAD_AMOUNT, MISSING_FIELD)

UNKNOWN_STATUSES: dict[str, tuple[str, object]] = {
    "taobao": ("status", "WAIT_MAGIC"),
    "jd": ("orderState", "SOMETHING_NEW"),
    "pdd": ("order_status", 9),
    "wechat": ("status", 999),
}
CREATION_FIELDS = {
    "taobao": "created",
    "jd": "orderStartTime",
    "pdd": "created_time",
    "wechat": "create_time",
}
BAD_TIMES = ("2026-13-45 25:61:00", "yesterday")
BAD_AMOUNTS = ("12,00元", "abc")


def _corrupt(source: str, payload: dict, kind: str, rng: random.Random) -> tuple[bool, str]:
    """Break `payload` in place; returns (native id still present, detail)."""
    if kind == UNKNOWN_STATUS:
        field, value = UNKNOWN_STATUSES[source]
        payload[field] = value
        return True, f"{field} {value!r} is not a known status"
    if kind == BAD_TIME:
        field = CREATION_FIELDS[source]
        payload[field] = BAD_TIMES[int(rng.random() * len(BAD_TIMES))]
        return True, f"{field} {payload[field]!r} is not a time"
    if kind == BAD_AMOUNT:
        value = BAD_AMOUNTS[int(rng.random() * len(BAD_AMOUNTS))]
        if source == "wechat":
            payload["order_detail"]["price_info"]["order_price"] = value
            return True, f"order_price {value!r} is not an amount"
        field = {"taobao": "payment", "jd": "orderPayment", "pdd": "pay_amount"}[source]
        payload[field] = value
        return True, f"{field} {value!r} is not an amount"
    if rng.random() < 0.5:
        field = SOURCES_BY_NAME[source].native_id_field
        del payload[field]
        payload.pop(f"{field}_str", None)  # the same id as a string (Taobao tid_str)
        return False, f"{field} missing"
    field = CREATION_FIELDS[source]
    del payload[field]
    return True, f"{field} missing"


def make_junk(
    planner: Planner,
    ids: NativeIds,
    rng: random.Random,
    index: int,
    created: int,
) -> tuple[RawRecord, OrderTruth, FaultTruth]:
    """One junk order numbered `index` (outside the regular counters), created at `created`."""
    plan = planner.plan(index, created, rng, None, force_paid=True)
    ms, text = PLATFORM_RENDERERS[plan.source](plan, ids)[-1]
    payload = json.loads(text)
    kind = QUARANTINE_KINDS[int(rng.random() * len(QUARANTINE_KINDS))]
    has_id, detail = _corrupt(plan.source, payload, kind, rng)
    native_id = plan.native_id if has_id else None
    record = RawRecord(
        source=plan.source,
        native_id=native_id,
        payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
        emitted_at=utc_datetime(ms),
    )
    truth = OrderTruth(
        platform=plan.code,
        native_id=native_id,
        created_at=utc_datetime(plan.created),
        expected_state=plan.stage,
        expected_is_cancelled=False,
        expected_refund_status=plan.refund_kind,
        expected_is_on_hold=False,
        payment_fen=plan.payment_fen,
        refund_fen=0,
        expected_in_erp=False,
        expected_in_ledger=False,
        expect_quarantine=True,
        quarantine_kind=kind,
    )
    fault = FaultTruth(plan.code, native_id, plan.source, "bad_payload", f"{kind}: {detail}")
    return record, truth, fault
