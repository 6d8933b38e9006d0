"""Pinduoduo order versions (`pdd.order.number.list.increment.get`, one `order_sn_list` element).

Times not yet reached (`confirm_time`, `shipping_time`, `receive_time`) are empty strings.
"""

from __future__ import annotations

from ingest.simulate.formats import china_seconds, mask_phone, yuan
from ingest.simulate.ids import NativeIds
from ingest.simulate.lifecycle import (
    EV_CANCELLED,
    EV_COMPLETED,
    EV_CREATED,
    EV_PAID,
    EV_REFUND_REQUESTED,
    EV_REFUNDED,
    EV_SHIPPED,
    REFUND_ONLY,
    OrderPlan,
)

AFTER_SALES_REFUND_ONLY = 2
AFTER_SALES_RETURN_AND_REFUND = 3


def render(plan: OrderPlan, ids: NativeIds) -> list[tuple[int, str]]:
    """(modification instant in epoch ms, payload) for every version of a PDD order."""
    items = ",".join([product.pdd_line[qty] for product, qty in plan.lines])
    head = f'{{"order_sn":"{plan.native_id}","order_status":'
    created = china_seconds(plan.created)
    money = (
        f',"goods_amount":"{yuan(plan.goods_fen)}","postage":"{yuan(plan.post_fen)}",'
        f'"discount_amount":"0.00","pay_amount":"{yuan(plan.payment_fen)}","refund_amount":"'
    )
    receiver = f'","receiver_name":"{plan.buyer}","receiver_phone":"'
    tail = f'","address":"{plan.address}","item_list":[{items}]}}'
    phone = plan.phone
    after_sales_kind = (
        AFTER_SALES_REFUND_ONLY
        if plan.refund_kind == REFUND_ONLY
        else AFTER_SALES_RETURN_AND_REFUND
    )
    order_status, confirm_status, refund_status, after_sales = 1, 0, 1, 0
    risk = 0
    confirm_time = shipping_time = receive_time = ""
    refund = "0.00"
    out = []
    for ms, kind in plan.events:
        if kind == EV_PAID:
            confirm_status = 1
            confirm_time = china_seconds(plan.pay)
            risk = 1 if plan.hold else 0
        elif kind == EV_SHIPPED:
            order_status = 2
            shipping_time = china_seconds(ms)
            phone = mask_phone(plan.phone)
        elif kind == EV_COMPLETED:
            order_status = 3
            receive_time = china_seconds(ms)
        elif kind == EV_CANCELLED:
            confirm_status = 2
        elif kind == EV_REFUND_REQUESTED:
            refund_status, after_sales = 2, after_sales_kind
        elif kind == EV_REFUNDED:
            refund_status, after_sales = 4, after_sales_kind
            refund = yuan(plan.refund_fen)
        elif kind != EV_CREATED:
            raise ValueError(f"PDD has no version for event {kind!r}")
        out.append(
            (
                ms,
                f'{head}{order_status},"confirm_status":{confirm_status},'
                f'"refund_status":{refund_status},"after_sales_type":{after_sales},'
                f'"risk_control_status":{risk},"created_time":"{created}",'
                f'"confirm_time":"{confirm_time}","shipping_time":"{shipping_time}",'
                f'"receive_time":"{receive_time}","updated_at":"{china_seconds(ms)}"'
                f"{money}{refund}{receiver}{phone}{tail}",
            )
        )
    return out
