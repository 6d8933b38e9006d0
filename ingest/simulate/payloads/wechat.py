"""WeChat shop order versions (`channels/ec/order/get`, the `order` object): Unix s, fen."""

from __future__ import annotations

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
    EV_CREATED: 10,
    EV_CANCELLED: 250,
    EV_PAID: 20,
    EV_PICKING: 21,
    EV_SHIPPED: 30,
    EV_COMPLETED: 100,
}
FULL_REFUND_STATUS = 200


def render(plan: OrderPlan, ids: NativeIds) -> list[tuple[int, str]]:
    """(modification instant in epoch ms, payload) for every version of a WeChat order."""
    products = ",".join([product.wechat_line[qty] for product, qty in plan.lines])
    order_id = plan.native_id
    head = f'{{"order_id":"{order_id}","status":'
    created = f',"create_time":{plan.created // 1000},"update_time":'
    price = (
        f',"order_detail":{{"price_info":{{"product_price":{plan.goods_fen},'
        f'"freight":{plan.post_fen},"order_price":{plan.payment_fen}}}'
    )
    address = (
        f',"delivery_info":{{"address_info":{{"user_name":"{plan.buyer}",'
        f'"tel_number":"{plan.phone}","detail_info":"{plan.address}"}},"delivery_product_info":['
    )
    rest = f']}},"product_infos":[{products}]}},"aftersale_detail":{{"on_aftersale_order_cnt":'
    aftersale_id = f"{order_id}01"
    status = 0
    pay_info = ""
    deliveries = ""
    open_aftersales = 0
    aftersales = ""
    out = []
    for ms, kind in plan.events:
        if kind == EV_REFUND_REQUESTED:
            open_aftersales = 1
            aftersales = (
                f'{{"aftersale_order_id":"{aftersale_id}","status":"MERCHANT_PROCESSING",'
                f'"refund_amount":{plan.refund_fen}}}'
            )
        elif kind == EV_REFUNDED:
            open_aftersales = 0
            aftersales = (
                f'{{"aftersale_order_id":"{aftersale_id}","status":"MERCHANT_REFUND_SUCCESS",'
                f'"refund_amount":{plan.refund_fen}}}'
            )
            if plan.refund_kind == FULL:
                status = FULL_REFUND_STATUS
        else:
            status = STATUS[kind]
            if kind == EV_PAID:
                pay_info = (
                    f',"pay_info":{{"pay_time":{plan.pay // 1000},'
                    f'"transaction_id":"{_transaction_id(plan)}"}}'
                )
            elif kind in (EV_PICKING, EV_SHIPPED):
                delivery = f'{{"delivery_time":{ms // 1000}}}'
                deliveries = f"{deliveries},{delivery}" if deliveries else delivery
        out.append(
            (
                ms,
                f"{head}{status}{created}{ms // 1000}{price}{pay_info}{address}{deliveries}"
                f'{rest}{open_aftersales},"aftersale_order_list":[{aftersales}]}}}}',
            )
        )
    return out


def _transaction_id(plan: OrderPlan) -> str:
    """28-digit WeChat Pay transaction id (not a key anywhere, only realistic)."""
    return f"420000{plan.index * 7_919 % 10_000:04d}{plan.index % 10**18:018d}"
