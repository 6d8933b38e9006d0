"""WeChat shop order versions (`channels/ec/order/get`, the `order` object): Unix s, fen.

`aftersale_detail.aftersale_order_list` names the after-sale orders by id only, as the real
order does; their amounts come from the after-sale API (payloads/refunds.py).
"""

from __future__ import annotations

from ingest.simulate.catalogue import Product
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
from ingest.simulate.payloads.refunds import wechat_after_sale_id
from ingest.simulate.refunds import refund_parts

STATUS = {
    EV_CREATED: 10,
    EV_CANCELLED: 250,
    EV_PAID: 20,
    EV_PICKING: 21,
    EV_SHIPPED: 30,
    EV_COMPLETED: 100,
}
FULL_REFUND_STATUS = 200
# Some relays hand `order_id` on as a bare JSON number (digits only, never a float).
NUMERIC_ID_EVERY = 16
# Some responses carry only `ship_done_time` in `delivery_info`, no `delivery_product_info`.
SHIP_DONE_ONLY_EVERY = 8
COURIERS = ("SF", "ZTO", "YTO", "YD", "STO", "JTSD")

_lines: dict[tuple[str, int], str] = {}


def _line(product: Product, qty: int) -> str:
    """One `product_infos` element (the JSON text, cached per product and quantity)."""
    key = (product.sku_id, qty)
    text = _lines.get(key)
    if text is None:
        fen = product.price_fen
        text = (
            f'{{"product_id":"{product.sku_id}","sku_id":"{product.sku_id}1",'
            f'"title":"{product.title}","sku_cnt":{qty},"sale_price":{fen},'
            f'"market_price":{fen},"on_aftersale_sku_cnt":0,"finish_aftersale_sku_cnt":0}}'
        )
        _lines[key] = text
    return text


def render(plan: OrderPlan, ids: NativeIds) -> list[tuple[int, str]]:
    """(modification instant in epoch ms, payload) for every version of a WeChat order."""
    order_id = plan.native_id
    numeric_id = plan.index % NUMERIC_ID_EVERY == 5
    ship_done_only = plan.index % SHIP_DONE_ONLY_EVERY == 3
    id_text = order_id if numeric_id else f'"{order_id}"'
    head = f'{{"order_id":{id_text},"status":'
    created = f',"create_time":{plan.created // 1000},"update_time":'
    products = ",".join([_line(product, qty) for product, qty in plan.lines])
    detail = (
        f',"order_detail":{{"product_infos":[{products}],'
        f'"price_info":{{"product_price":{plan.goods_fen},"order_price":{plan.payment_fen},'
        f'"freight":{plan.post_fen},"discounted_price":0,"is_discounted":false}}'
    )
    address = (
        f',"delivery_info":{{"address_info":{{"user_name":"{plan.buyer}",'
        f'"tel_number":"{plan.phone}","detail_info":"{plan.address}"}}'
    )
    notes = '"ext_info":{"customer_notes":"","merchant_notes":""'
    present = ',"is_present":true' if plan.gift else ""
    parts = refund_parts(plan)
    listed = ",".join(
        f'{{"aftersale_order_id":"{wechat_after_sale_id(plan, part.number)}"}}' for part in parts
    )
    status = 0
    pay_info = ""
    packages: list[str] = []
    ship_done = ""
    receipt = ""
    open_aftersales = 0
    aftersales = ""
    out = []
    for ms, kind in plan.events:
        if kind == EV_REFUND_REQUESTED:
            open_aftersales = sum(1 for part in parts if part.succeeds)
            aftersales = listed
        elif kind == EV_REFUNDED:
            open_aftersales = 0
            if plan.refund_kind == FULL:
                status = FULL_REFUND_STATUS
        else:
            status = STATUS[kind]
            if kind == EV_PAID:
                pay_info = (
                    f',"pay_info":{{"payment_method":1,"pay_time":{plan.pay // 1000},'
                    f'"transaction_id":"{_transaction_id(plan)}"}}'
                )
            elif kind in (EV_PICKING, EV_SHIPPED):
                if not ship_done_only:
                    packages.append(_package(plan, len(packages), ms))
                if kind == EV_SHIPPED:
                    ship_done = f',"ship_done_time":{ms // 1000}'
            elif kind == EV_COMPLETED:
                receipt = f',"confirm_receipt_time":{ms // 1000}'
        delivery = f',"delivery_product_info":[{",".join(packages)}]' if packages else ""
        out.append(
            (
                ms,
                f"{head}{status}{created}{ms // 1000}{detail}{pay_info}{address}{delivery}"
                f'{ship_done},"deliver_method":0}},{notes}{receipt}}}}},"aftersale_detail":'
                f'{{"on_aftersale_order_cnt":{open_aftersales},'
                f'"aftersale_order_list":[{aftersales}]}}{present}}}',
            )
        )
    return out


def _package(plan: OrderPlan, number: int, ms: int) -> str:
    """One shipped package of the order (`delivery_product_info` element)."""
    courier = COURIERS[(plan.index + number) % len(COURIERS)]
    waybill = f"7{plan.index % 10**11:011d}{number}"
    return (
        f'{{"waybill_id":"{waybill}","delivery_id":"{courier}",'
        f'"delivery_time":{ms // 1000},"deliver_type":1}}'
    )


def _transaction_id(plan: OrderPlan) -> str:
    """28-digit WeChat Pay transaction id (not a key anywhere, only realistic)."""
    return f"420000{plan.index * 7_919 % 10_000:04d}{plan.index % 10**18:018d}"
