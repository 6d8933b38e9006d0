"""JD order versions (`jingdong.pop.order.search`, one `orderInfoList` element)."""

from __future__ import annotations

import base64

from ingest.simulate.formats import china_millis, china_seconds, mask_phone, yuan
from ingest.simulate.ids import NativeIds
from ingest.simulate.lifecycle import (
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

ORDER_STATE = {
    EV_CREATED: "WAIT_SELLER_STOCK_OUT",  # cash on delivery: waits for stock-out unpaid
    EV_PAID: "WAIT_SELLER_STOCK_OUT",
    EV_PICKING: "WAIT_SELLER_DELIVERY",
    EV_SHIPPED: "WAIT_GOODS_RECEIVE_CONFIRM",
    EV_COMPLETED: "FINISHED_L",
}
FULL_REFUND_STATE = "TRADE_CANCELED"
NOT_PAID = "0001-01-01 00:00:00"
PAY_ONLINE, PAY_ON_DELIVERY = "4-在线支付", "1-货到付款"


def _millis_offset(ms: int) -> str:
    return china_millis(ms) + "+0800"


def cipher(text: str) -> str:
    """Stand-in for JD's encrypted consignee fields (opaque, not plaintext)."""
    return "~" + base64.b64encode(text.encode()).decode() + "~"


def render(plan: OrderPlan, ids: NativeIds) -> list[tuple[int, str]]:
    """(modification instant in epoch ms, payload) for every version of a JD order.

    `modified` travels in `orderExt` (JSON inside a string, epoch ms) at the precision of the
    order's other times. JD's order object has no after-sale fields: refunds are refund applies
    of their own (payloads/refunds.py)."""
    stamp = _millis_offset if plan.jd_millis else china_seconds
    items = ",".join([product.jd_line[qty] for product, qty in plan.lines])
    goods = yuan(plan.goods_fen)
    head = f'{{"orderId":"{plan.native_id}","orderState":"'
    started = f'","orderStartTime":"{stamp(plan.created)}","orderExt":"{{\\"modified\\":'
    paid = china_seconds(plan.pay) if plan.pay is not None else NOT_PAID
    money = (
        f',"orderTotalPrice":"{goods}","sellerDiscount":"0.00","freightPrice":"{yuan(plan.post_fen)}",'
        f'"orderSellerPrice":"{goods}","orderPayment":"{yuan(plan.payment_fen)}",'
        f'"payType":"{PAY_ONLINE if plan.pay is not None else PAY_ON_DELIVERY}"'
    )
    tail = (
        f',"consigneeInfo":{{"fullname":"{cipher(plan.buyer)}","mobile":"{mask_phone(plan.phone)}",'
        f'"fullAddress":"{cipher(plan.address)}"}},"itemInfoList":[{items}]}}'
    )
    state = ""
    end_time = ""
    out = []
    for ms, kind in plan.events:
        if kind == EV_REFUND_REQUESTED:
            pass  # the order object does not change when a refund is asked for
        elif kind == EV_REFUNDED:
            if plan.refund_kind == FULL:
                state = FULL_REFUND_STATE
                end_time = f',"orderEndTime":"{china_seconds(ms)}"'
        else:
            state = ORDER_STATE[kind]
            if kind == EV_COMPLETED:
                end_time = f',"orderEndTime":"{china_seconds(ms)}"'
        modified = ms if plan.jd_millis else ms - ms % 1000
        out.append(
            (
                ms,
                f'{head}{state}{started}{modified}}}","paymentConfirmTime":"{paid}"{end_time}'
                f"{money}{tail}",
            )
        )
    return out
