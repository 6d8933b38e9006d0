"""Yonyou U8 sales orders, as the OpenAPI `saleorder/get` returns its `saleorder` object (and
`saleorderlist/batch_get` each element), for paid platform orders, with ERP faults.

The merchant keeps the platform code in `define1` and the platform order number in `define2`
(the defaults of the dbt vars `u8_platform_field` / `u8_order_ref_field`).
"""

from __future__ import annotations

from ingest.simulate.catalogue import Product
from ingest.simulate.formats import china_seconds, utc_naive_seconds, yuan
from ingest.simulate.lifecycle import ERP_APPROVED, OrderPlan

CUSTOMER_CODES = {"TB": "TMALL01", "JD": "JD01", "PDD": "PDD01", "WX": "WX01"}
CUSTOMER_NAMES = {"TB": "天猫旗舰店", "JD": "京东店", "PDD": "拼多多店", "WX": "微信小店"}
#: The freight is a line of its own, on a service item.
FREIGHT_CODE, FREIGHT_NAME = "YF01", "运费"
#: VAT rate the tax-excluded `money` is derived with: sum = money × 1.13.
TAX_PERCENT = 13

_CUSTOMER = {
    code: f'","custcode":"{customer}","cusname":"{CUSTOMER_NAMES[code]}","state":"'
    for code, customer in CUSTOMER_CODES.items()
}
_LINES: dict[tuple[str, int, bool], str] = {}


def amount_text(fen: int, as_fen: bool) -> str:
    """An amount as the ERP writes it: yuan, or the fen number written as yuan (unit fault)."""
    return str(fen) if as_fen else yuan(fen)


def tax_excluded(fen: int) -> int:
    """The tax-excluded part of a tax-included amount, rounded to the fen (integers only)."""
    return (fen * 100 + (100 + TAX_PERCENT) // 2) // (100 + TAX_PERCENT)


def erp_sum(plan: OrderPlan) -> str:
    """The `sum` the ERP holds: the payment in yuan, or what a fault made of it."""
    if plan.erp_amount_fault == "unit":
        return str(plan.payment_fen)
    if plan.erp_amount_fault == "shift":
        return yuan(plan.post_fen)
    return yuan(plan.payment_fen)


def erp_create_time(plan: OrderPlan) -> str:
    """`date` as written: China time, or naive UTC under the time-zone-drift fault."""
    if plan.erp_tz_drift:
        return utc_naive_seconds(plan.erp_at)
    return china_seconds(plan.erp_at)


def _line(code: str, name: str, quantity: int, price_fen: int, as_fen: bool) -> str:
    return (
        f'{{"inventorycode":"{code}","inventoryname":"{name}","quantity":"{quantity}",'
        f'"taxunitprice":"{amount_text(price_fen, as_fen)}",'
        f'"sum":"{amount_text(price_fen * quantity, as_fen)}"}}'
    )


def _goods_line(product: Product, quantity: int, as_fen: bool) -> str:
    key = (product.sku_id, quantity, as_fen)
    text = _LINES.get(key)
    if text is None:
        text = _LINES[key] = _line(
            product.sku_id, product.title, quantity, product.price_fen, as_fen
        )
    return text


def entry_lines(plan: OrderPlan) -> str:
    """The `entry` array: the goods, then the freight. U8 adds the head `sum` up from its lines,
    so a faulty amount is in the lines too: a unit error in every line, a field shift as the
    freight alone (the goods columns lost in the mapping)."""
    if plan.erp_amount_fault == "shift":
        return f"[{_line(FREIGHT_CODE, FREIGHT_NAME, 1, plan.post_fen, False)}]"
    as_fen = plan.erp_amount_fault == "unit"
    lines = [_goods_line(product, quantity, as_fen) for product, quantity in plan.lines]
    if plan.post_fen:
        lines.append(_line(FREIGHT_CODE, FREIGHT_NAME, 1, plan.post_fen, as_fen))
    return f"[{','.join(lines)}]"


def erp_money(plan: OrderPlan) -> str:
    """The tax-excluded head `money`, in the same unit as `sum`."""
    if plan.erp_amount_fault == "unit":
        return str(tax_excluded(plan.payment_fen))
    if plan.erp_amount_fault == "shift":
        return yuan(tax_excluded(plan.post_fen))
    return yuan(tax_excluded(plan.payment_fen))


class U8Book:
    """Allocates sales order `code`s (`SO` + China date + per-day counter) and renders them."""

    def __init__(self) -> None:
        self._per_day: dict[str, int] = {}

    def render(self, plan: OrderPlan) -> tuple[str, list[tuple[int, str]]]:
        """(code, [(epoch ms, payload)]): approved on entry, closed/void later if it ends."""
        entered = china_seconds(plan.erp_at)
        compact = entered[:10].replace("-", "")
        serial = self._per_day.get(compact, 0) + 1
        self._per_day[compact] = serial
        code = f"SO{compact}{serial:06d}"
        head = f'{{"code":"{code}","date":"{erp_create_time(plan)}{_CUSTOMER[plan.code]}'
        tail = (
            f'","sum":"{erp_sum(plan)}","money":"{erp_money(plan)}","define1":"{plan.code}",'
            f'"define2":"{plan.native_id}","memo":"","entry":{entry_lines(plan)}}}'
        )
        versions = [(plan.erp_at, head + ERP_APPROVED + tail)]
        if plan.erp_final_state is not None:
            versions.append((plan.erp_final_at, head + plan.erp_final_state + tail))
        return code, versions
