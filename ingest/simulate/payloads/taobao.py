"""Taobao/Tmall trade versions (`taobao.trades.sold.increment.get`, one `trades.trade`).

The real trade shape (docs/payloads.md): `tid` a JSON number with `tid_str` beside it, the
refund status per sub-order (`orders.order[].refund_status`), no trade-level refund status, the
receiver phone masked. A single sub-order's `payment` holds the post fee, as the trade's does.
Refund amounts are not on the trade: they come from the refund API (payloads/refunds.py).
"""

from __future__ import annotations

from ingest.simulate.formats import china_seconds, yuan
from ingest.simulate.ids import NativeIds
from ingest.simulate.lifecycle import (
    EV_CANCELLED,
    EV_COMPLETED,
    EV_CREATED,
    EV_PAID,
    EV_PICKING,
    EV_REFUND_REQUESTED,
    EV_REFUNDED,
    EV_SHIPPED,
    FULL,
    OrderPlan,
)

STATUS = {
    EV_CREATED: "WAIT_BUYER_PAY",
    EV_CANCELLED: "TRADE_CLOSED_BY_TAOBAO",
    EV_PAID: "WAIT_SELLER_SEND_GOODS",
    EV_PICKING: "SELLER_CONSIGNED_PART",
    EV_SHIPPED: "WAIT_BUYER_CONFIRM_GOODS",
    EV_COMPLETED: "TRADE_FINISHED",
}
FULL_REFUND_STATUS = "TRADE_CLOSED"
NO_REFUND, REFUND_ASKED, REFUND_DONE = "NO_REFUND", "WAIT_SELLER_AGREE", "SUCCESS"
REFUNDED_LINE_STATUS = "TRADE_CLOSED"


def masked_mobile(phone: str) -> str:
    """'13892891234' -> '1389289****', as Taobao masks the receiver's mobile."""
    return phone[:7] + "****"


def _line_parts(plan: OrderPlan, ids: NativeIds) -> list[tuple[str, str]]:
    """Per sub-order: the JSON text before its status, and the text after it up to its refund
    status (ids, title, quantity, price and amounts)."""
    first_oid = ids.taobao_oid(plan.index, 0)
    single = len(plan.lines) == 1
    parts = []
    for i, (product, qty) in enumerate(plan.lines):
        oid = first_oid + i
        goods = product.price_fen * qty
        paid = goods + plan.post_fen if single else goods
        parts.append(
            (
                f'{{"oid":{oid},"oid_str":"{oid}","status":"',
                f'","title":"{product.title}","num":{qty},"price":"{yuan(product.price_fen)}",'
                f'"total_fee":"{yuan(goods)}","payment":"{yuan(paid)}","refund_status":"',
            )
        )
    return parts


def _refunded_lines(plan: OrderPlan) -> int:
    """How many sub-orders, from the first, a refund covers: all for a full refund, for a
    partial one the fewest whose amounts reach the refunded amount."""
    if plan.refund_kind == FULL:
        return len(plan.lines)
    covered = 0
    for count, (product, qty) in enumerate(plan.lines, start=1):
        covered += product.price_fen * qty
        if covered >= plan.refund_fen:
            return count
    return len(plan.lines)


def _lines(parts: list[tuple[str, str]], status: str, refund: str, refunded_lines: int) -> str:
    out = []
    for i, (head, middle) in enumerate(parts):
        if i < refunded_lines:
            line_status = REFUNDED_LINE_STATUS if refund == REFUND_DONE else status
            out.append(f'{head}{line_status}{middle}{refund}"}}')
        else:
            out.append(f'{head}{status}{middle}{NO_REFUND}"}}')
    return ",".join(out)


def render(plan: OrderPlan, ids: NativeIds) -> list[tuple[int, str]]:
    """(modification instant in epoch ms, payload) for every version of a Taobao order."""
    parts = _line_parts(plan, ids)
    refunded_lines = _refunded_lines(plan)
    head = f'{{"tid":{plan.tid},"tid_str":"{plan.tid}","type":"fixed","status":"'
    created = f'","created":"{china_seconds(plan.created)}","modified":"'
    money = (
        f',"payment":"{yuan(plan.payment_fen)}","total_fee":"{yuan(plan.goods_fen)}",'
        f'"post_fee":"{yuan(plan.post_fen)}"'
    )
    receiver = (
        f',"buyer_nick":"{plan.buyer[0]}**","receiver_name":"{plan.buyer}",'
        f'"receiver_mobile":"{masked_mobile(plan.phone)}","receiver_state":"{plan.province}",'
        f'"receiver_city":"{plan.city}","receiver_address":"{plan.street}",'
        f'"orders":{{"order":['
    )
    status = ""
    pay_time = consign_time = end_time = ""
    refund = NO_REFUND
    out = []
    for ms, kind in plan.events:
        if kind == EV_REFUND_REQUESTED:
            refund = REFUND_ASKED
        elif kind == EV_REFUNDED:
            refund = REFUND_DONE
            if plan.refund_kind == FULL:
                status = FULL_REFUND_STATUS
                end_time = f',"end_time":"{china_seconds(ms)}"'
        else:
            status = STATUS[kind]
            if kind == EV_PAID:
                pay_time = f',"pay_time":"{china_seconds(plan.pay)}"'
            elif kind == EV_SHIPPED:
                consign_time = f',"consign_time":"{china_seconds(ms)}"'
            elif kind in (EV_COMPLETED, EV_CANCELLED):
                end_time = f',"end_time":"{china_seconds(ms)}"'
        out.append(
            (
                ms,
                f'{head}{status}{created}{china_seconds(ms)}"{pay_time}{consign_time}{end_time}'
                f"{money}{receiver}"
                f"{_lines(parts, status, refund, refunded_lines)}]}}}}",
            )
        )
    return out
