"""Refund versions of one order, in each platform's refund API shape (docs/payloads.md, "Refunds").

- Taobao `taobao.refunds.receive.get` (`refunds.refund[]`): `refund_id` and `tid` / `oid` JSON
  numbers above 2^53, `refund_fee` a yuan string, China-time strings; WAIT_SELLER_AGREE, then
  SUCCESS (or SELLER_REFUSE_BUYER).
- JD `jingdong.pop.afs.soa.refundapply.queryPageList` (`queryResult.result[]`): `id`, `orderId`,
  `applyRefundSum` a JSON number in yuan, `status` 0 (not audited), then 3 (refunded) or 2
  (refused).
- Pinduoduo `pdd.refund.list.increment.get` (`refund_list[]`): `id`, `order_sn`,
  `after_sales_type` 2 (refund only 仅退款) or 3 (return and refund), `after_sales_status`
  2 / 3 (asked), then 10 (refund successful) or 11 (cancelled), `refund_amount` a yuan string.
- WeChat `channels/ec/aftersale/getaftersaleorder` (`after_sale_order`): `after_sale_order_id`,
  `order_id`, `type` REFUND / RETURN, `refund_info.amount` in fen, Unix seconds;
  MERCHANT_PROCESSING, then MERCHANT_REFUND_SUCCESS (or USER_CANCELD).
"""

from __future__ import annotations

from collections.abc import Callable

from ingest.simulate.formats import china_seconds, yuan, yuan_number
from ingest.simulate.ids import NativeIds
from ingest.simulate.lifecycle import FULL, REFUND_ONLY, SHIPPED, STAGE_RANK, OrderPlan
from ingest.simulate.refunds import RefundPart, is_return, refund_parts

# (source, native id, epoch ms, payload)
RefundRow = tuple[str, str, int, str]

TB_ASKED, TB_DONE, TB_REFUSED = "WAIT_SELLER_AGREE", "SUCCESS", "SELLER_REFUSE_BUYER"
JD_ASKED, JD_DONE, JD_REFUSED = 0, 3, 2
PDD_REFUND_ONLY, PDD_RETURN_AND_REFUND = 2, 3
PDD_DONE, PDD_CANCELLED = 10, 11
WX_ASKED, WX_DONE, WX_CANCELLED = "MERCHANT_PROCESSING", "MERCHANT_REFUND_SUCCESS", "USER_CANCELD"


def wechat_after_sale_id(plan: OrderPlan, number: int) -> str:
    """The after-sale order id of refund `number` of a WeChat order (also listed on the order)."""
    return f"{plan.native_id}{number + 1:02d}"


def pdd_after_sales_type(plan: OrderPlan) -> int:
    """仅退款 for a refund only and for a refund before shipment; return and refund otherwise."""
    shipped = STAGE_RANK[plan.stage] >= STAGE_RANK[SHIPPED]
    if plan.refund_kind == REFUND_ONLY or (plan.refund_kind == FULL and not shipped):
        return PDD_REFUND_ONLY
    return PDD_RETURN_AND_REFUND


def render_refunds(plan: OrderPlan, ids: NativeIds) -> list[RefundRow]:
    """Every version of every refund of the order (none for an order without a refund)."""
    parts = refund_parts(plan)
    if not parts:
        return []
    render = _RENDERERS[plan.source]
    rows: list[RefundRow] = []
    for part in parts:
        rows += render(plan, ids, part)
    return rows


def _taobao(plan: OrderPlan, ids: NativeIds, part: RefundPart) -> list[RefundRow]:
    refund_id = ids.taobao_refund(plan.index, part.number)
    product, qty = plan.lines[part.line]
    head = (
        f'{{"refund_id":{refund_id},"tid":{plan.tid},"oid":{ids.taobao_oid(plan.index, part.line)},'
        f'"title":"{product.title}","num":{qty},"total_fee":"{yuan(product.price_fen * qty)}",'
        f'"payment":"{yuan(plan.payment_fen)}","refund_fee":"{yuan(part.fen)}",'
        f'"has_good_return":{"true" if is_return(plan) else "false"},'
        f'"created":"{china_seconds(part.asked_at)}","status":"'
    )
    final = TB_DONE if part.succeeds else TB_REFUSED
    return [
        (
            "taobao_refunds",
            str(refund_id),
            at,
            f'{head}{status}","modified":"{china_seconds(at)}"}}',
        )
        for at, status in ((part.asked_at, TB_ASKED), (part.settled_at, final))
    ]


def _jd(plan: OrderPlan, ids: NativeIds, part: RefundPart) -> list[RefundRow]:
    refund_id = ids.refund(plan.index, part.number)
    head = (
        f'{{"id":{refund_id},"orderId":"{plan.native_id}","buyerId":"jd_{plan.index % 10**8:08d}",'
        f'"buyerName":"{plan.buyer[0]}**","applyTime":"{china_seconds(part.asked_at)}",'
        f'"applyRefundSum":{yuan_number(part.fen)},'
    )
    final = JD_DONE if part.succeeds else JD_REFUSED
    return [
        (
            "jd_refunds",
            str(refund_id),
            part.asked_at,
            f'{head}"checkTime":"","status":{JD_ASKED}}}',
        ),
        (
            "jd_refunds",
            str(refund_id),
            part.settled_at,
            f'{head}"checkTime":"{china_seconds(part.settled_at)}","status":{final}}}',
        ),
    ]


def _pdd(plan: OrderPlan, ids: NativeIds, part: RefundPart) -> list[RefundRow]:
    refund_id = ids.refund(plan.index, part.number)
    product, qty = plan.lines[part.line]
    kind = pdd_after_sales_type(plan)
    head = (
        f'{{"id":{refund_id},"order_sn":"{plan.native_id}","after_sales_type":{kind},'
        f'"goods_id":{product.goods_id},"sku_id":{product.goods_id}1,"goods_number":{qty},'
        f'"order_amount":"{yuan(plan.payment_fen)}","refund_amount":"{yuan(part.fen)}",'
        f'"created_time":"{china_seconds(part.asked_at)}","after_sales_status":'
    )
    final = PDD_DONE if part.succeeds else PDD_CANCELLED
    return [
        (
            "pdd_refunds",
            str(refund_id),
            at,
            f'{head}{status},"updated_time":"{china_seconds(at)}"}}',
        )
        for at, status in ((part.asked_at, kind), (part.settled_at, final))
    ]


def _wechat(plan: OrderPlan, ids: NativeIds, part: RefundPart) -> list[RefundRow]:
    after_sale_id = wechat_after_sale_id(plan, part.number)
    product, qty = plan.lines[part.line]
    head = (
        f'{{"after_sale_order_id":"{after_sale_id}","order_id":"{plan.native_id}",'
        f'"product_info":{{"product_id":"{product.sku_id}","sku_id":"{product.sku_id}1",'
        f'"count":{qty}}},"refund_info":{{"amount":{part.fen}}},'
        f'"type":"{"RETURN" if is_return(plan) else "REFUND"}",'
        f'"create_time":{part.asked_at // 1000},"status":"'
    )
    final = WX_DONE if part.succeeds else WX_CANCELLED
    return [
        ("wechat_refunds", after_sale_id, at, f'{head}{status}","update_time":{at // 1000}}}')
        for at, status in ((part.asked_at, WX_ASKED), (part.settled_at, final))
    ]


_RENDERERS: dict[str, Callable[[OrderPlan, NativeIds, RefundPart], list[RefundRow]]] = {
    "taobao": _taobao,
    "jd": _jd,
    "pdd": _pdd,
    "wechat": _wechat,
}
