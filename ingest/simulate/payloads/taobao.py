"""Taobao/Tmall trade versions (`taobao.trades.sold.increment.get`, one `trades.trade`)."""

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


def render(plan: OrderPlan, ids: NativeIds) -> list[tuple[int, str]]:
    """(modification instant in epoch ms, payload) for every version of a Taobao order."""
    first_oid = ids.taobao_oid(plan.index, 0)
    lines = ",".join(
        f'{{"oid":{first_oid + i}{product.taobao_line[qty]}'
        for i, (product, qty) in enumerate(plan.lines)
    )
    head = f'{{"tid":{plan.tid},"status":"'
    created = f'","created":"{china_seconds(plan.created)}","modified":"'
    money = (
        f',"payment":"{yuan(plan.payment_fen)}","total_fee":"{yuan(plan.goods_fen)}",'
        f'"post_fee":"{yuan(plan.post_fen)}","refund_status":"'
    )
    tail = (
        f'","buyer_nick":"{plan.buyer[0]}**","receiver_name":"{plan.buyer}",'
        f'"receiver_mobile":"{plan.phone}","receiver_state":"{plan.province}",'
        f'"receiver_city":"{plan.city}","receiver_address":"{plan.street}",'
        f'"orders":{{"order":[{lines}]}}}}'
    )
    status = ""
    pay_time = consign_time = end_time = ""
    refund_status, refund_fee = "NO_REFUND", "0.00"
    out = []
    for ms, kind in plan.events:
        if kind == EV_REFUND_REQUESTED:
            refund_status = "WAIT_SELLER_AGREE"
        elif kind == EV_REFUNDED:
            refund_status, refund_fee = "SUCCESS", yuan(plan.refund_fen)
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
                f'{money}{refund_status}","refund_fee":"{refund_fee}{tail}',
            )
        )
    return out
