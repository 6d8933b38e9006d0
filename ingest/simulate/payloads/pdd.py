"""Pinduoduo order versions (`pdd.order.number.list.increment.get`, one `order_sn_list` element).

Money fields are JSON numbers in yuan (`4.5`, `168`); times not yet reached (`pay_time`,
`confirm_time`, `shipping_time`, `receive_time`) are empty strings. Receiver name and phone are
given only while the order is to ship and not under risk review, empty after; the `*_mask`
variants always. Some orders come in the older shape without `confirm_status`.
"""

from __future__ import annotations

from ingest.simulate.catalogue import Product
from ingest.simulate.formats import china_seconds, mask_phone, yuan_number
from ingest.simulate.ids import NativeIds
from ingest.simulate.lifecycle import (
    EV_CANCELLED,
    EV_COMPLETED,
    EV_CREATED,
    EV_PAID,
    EV_REFUND_REQUESTED,
    EV_REFUNDED,
    EV_SHIPPED,
    OrderPlan,
)
from ingest.simulate.payloads.refunds import (
    PDD_REFUND_ONLY,
    PDD_RETURN_AND_REFUND,
    pdd_after_sales_type,
)

#: after_sales_status on the order: 0 none, 2 refund asked (awaiting the merchant), 3 return and
#: refund asked (awaiting the merchant), 10 refund successful. The order carries no
#: after_sales_type and no refund amount: those are on the after-sale (payloads/refunds.py).
AFTER_SALES_STATUS_OPEN = {PDD_REFUND_ONLY: 2, PDD_RETURN_AND_REFUND: 3}
AFTER_SALES_STATUS_REFUNDED = 10
#: One order in this many (never a cancelled one: absence of the field cannot say cancelled)
#: comes in the older shape without confirm_status.
OLDER_SHAPE_EVERY = 5

_LINES: dict[tuple[int, int], str] = {}


def _line(product: Product, qty: int) -> str:
    key = (product.goods_id, qty)
    text = _LINES.get(key)
    if text is None:
        text = _LINES[key] = (
            f'{{"goods_id":{product.goods_id},"goods_name":"{product.title}",'
            f'"goods_count":{qty},"goods_price":{yuan_number(product.price_fen)}}}'
        )
    return text


def render(plan: OrderPlan, ids: NativeIds) -> list[tuple[int, str]]:
    """(modification instant in epoch ms, payload) for every version of a PDD order."""
    items = ",".join([_line(product, qty) for product, qty in plan.lines])
    created = china_seconds(plan.created)
    older_shape = plan.index % OLDER_SHAPE_EVERY == 0 and not any(
        kind == EV_CANCELLED for _, kind in plan.events
    )
    head = f'{{"order_sn":"{plan.native_id}","order_status":'
    money = (
        f',"goods_amount":{yuan_number(plan.goods_fen)},"postage":{yuan_number(plan.post_fen)},'
        f'"discount_amount":0,"seller_discount":0,"platform_discount":0,'
        f'"pay_amount":{yuan_number(plan.payment_fen)}'
    )
    name_mask = plan.buyer[:1] + "*" * (len(plan.buyer) - 1)
    masks = f',"receiver_name_mask":"{name_mask}","receiver_phone_mask":"{mask_phone(plan.phone)}"'
    tail = f',"address":"{plan.address}","item_list":[{items}]}}'
    after_sales_kind = pdd_after_sales_type(plan)
    order_status, confirm_status, refund_status, after_sales_status = 1, 0, 1, 0
    risk = 0
    pay_time = confirm_time = shipping_time = receive_time = ""
    out = []
    for ms, kind in plan.events:
        if kind == EV_PAID:
            confirm_status = 1
            pay_time = confirm_time = china_seconds(plan.pay)
            risk = 1 if plan.hold else 0
        elif kind == EV_SHIPPED:
            order_status = 2
            shipping_time = china_seconds(ms)
        elif kind == EV_COMPLETED:
            order_status = 3
            receive_time = china_seconds(ms)
        elif kind == EV_CANCELLED:
            confirm_status = 2
        elif kind == EV_REFUND_REQUESTED:
            refund_status = 2
            after_sales_status = AFTER_SALES_STATUS_OPEN[after_sales_kind]
        elif kind == EV_REFUNDED:
            refund_status = 4
            after_sales_status = AFTER_SALES_STATUS_REFUNDED
        elif kind != EV_CREATED:
            raise ValueError(f"PDD has no version for event {kind!r}")
        plain = order_status == 1 and risk == 0
        confirm = "" if older_shape else f'"confirm_status":{confirm_status},'
        out.append(
            (
                ms,
                f"{head}{order_status},{confirm}"
                f'"refund_status":{refund_status},"after_sales_status":{after_sales_status},'
                f'"risk_control_status":{risk},"created_time":"{created}",'
                f'"pay_time":"{pay_time}","confirm_time":"{confirm_time}",'
                f'"shipping_time":"{shipping_time}","receive_time":"{receive_time}",'
                f'"updated_at":"{china_seconds(ms)}"{money}'
                f',"receiver_name":"{plan.buyer if plain else ""}",'
                f'"receiver_phone":"{plan.phone if plain else ""}"{masks}{tail}',
            )
        )
    return out
