"""Small seller-centre export samples in the real layouts (docs/domain.md §2b), with the same
orders as their platform's API objects, and writers for CSV (UTF-8 with a BOM, GBK) and XLSX.

The cells carry what real exports carry: `="…"` ids, apostrophe phones, headers ending with a
space, `0元`, `0000-00-00` pay times, Chinese status text with full-width commas, trailing tabs
on money, slashed dates, the Taobao item file's trailing comma, the JD one-row-per-item layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from domain.china_time import CHINA_TZ


@dataclass(frozen=True)
class Table:
    """An export as a person sees it: the header row and the data rows, cell text as written."""

    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    trailing_comma: bool = False  # the Taobao item file ends every line with a comma


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ).timestamp())


TAOBAO_HEADER = (
    "订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "买家支付积分",
    "总金额", "返点积分", "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言",
    "收货人姓名", "收货地址 ", "运送方式", "联系电话 ", "联系手机", "订单创建时间",
    "订单付款时间 ", "宝贝标题 ", "宝贝种类 ", "物流单号 ", "物流公司", "订单备注",
    "宝贝总数量", "店铺Id", "店铺名称", "订单关闭原因", "退款金额", "异常信息",
)  # fmt: skip

TAOBAO_ORDERS = Table(
    TAOBAO_HEADER,
    (
        ('="3822001234567890123"', "t**1", "", "198.00", "2.07", "0", "200.07", "0", "200.07",
         "0", "卖家已发货，等待买家确认", "", "张三", "浙江省 杭州市 西湖区 文三路 1 号", "快递",
         "", "'13892890000", "2026-10-01 09:12:44", "2026-10-01 09:13:02", "保温杯", "1",
         "SF1234567890", "顺丰速运", "", "2", "1001", "旗舰店", "", "0", ""),
        ('="3822001234567890777"', "b**2", "", "50.00", "0.00", "0", "50.00", "0", "0元", "0",
         "交易关闭", "", "李四", "江苏省 南京市", "快递", "", "'13900000000",
         "2026-10-02 10:00:00", "0000-00-00", "茶杯", "1", "", "", "", "1", "1001", "旗舰店",
         "买家未付款", "0", ""),
        ('="3822001234567890999"', "c**3", "", "50.00", "0.00", "0", "50.00", "0", "50.00",
         "0", "交易关闭", "", "王五", "上海市", "快递", "", "'13700000000",
         "2026-10-03 11:00:00", "2026-10-03 11:00:30", "茶杯", "1", "", "", "", "1", "1001",
         "旗舰店", "退款", "50.00", ""),
    ),
)  # fmt: skip

TAOBAO_ITEMS = Table(
    ("订单编号", "标题", "价格", "购买数量", "外部系统编号", "商品属性", "套餐信息", "备注",
     "订单状态", "商家编码"),
    (
        ('="3822001234567890123"', "保温杯", "99.00", "2", "", "颜色:红", "", "",
         "卖家已发货，等待买家确认", "BWB-01"),
        ('="3822001234567890777"', "茶杯", "50.00", "1", "", "", "", "", "交易关闭", "CB-01"),
        ('="3822001234567890999"', "茶杯", "50.00", "1", "", "", "", "", "交易关闭", "CB-01"),
    ),
    trailing_comma=True,
)  # fmt: skip

TAOBAO_API = [
    {"tid": 3822001234567890123, "tid_str": "3822001234567890123",
     "status": "WAIT_BUYER_CONFIRM_GOODS", "created": "2026-10-01 09:12:44",
     "pay_time": "2026-10-01 09:13:02", "payment": "200.07", "total_fee": "200.07",
     "post_fee": "2.07", "buyer_nick": "t**1", "receiver_name": "张三",
     "receiver_address": "浙江省 杭州市 西湖区 文三路 1 号", "receiver_mobile": "13892890000",
     "orders": {"order": [{"title": "保温杯", "price": "99.00", "num": 2,
                           "status": "WAIT_BUYER_CONFIRM_GOODS", "outer_sku_id": "BWB-01"}]}},
    {"tid": 3822001234567890777, "tid_str": "3822001234567890777",
     "status": "TRADE_CLOSED_BY_TAOBAO", "created": "2026-10-02 10:00:00", "payment": "0.00",
     "total_fee": "50.00", "post_fee": "0.00", "buyer_nick": "b**2", "receiver_name": "李四",
     "receiver_mobile": "13900000000",
     "orders": {"order": [{"title": "茶杯", "price": "50.00", "num": 1,
                           "status": "TRADE_CLOSED"}]}},
    {"tid": 3822001234567890999, "tid_str": "3822001234567890999", "status": "TRADE_CLOSED",
     "created": "2026-10-03 11:00:00", "pay_time": "2026-10-03 11:00:30", "payment": "50.00",
     "total_fee": "50.00", "post_fee": "0.00", "buyer_nick": "c**3", "receiver_name": "王五",
     "receiver_mobile": "13700000000",
     "orders": {"order": [{"title": "茶杯", "price": "50.00", "num": 1,
                           "status": "TRADE_CLOSED"}]}},
]  # fmt: skip

JD_HEADER = (
    "订单号", "商品ID", "商品名称", "订购数量", "支付方式", "下单时间", "京东价", "订单金额",
    "结算金额", "余额支付", "应付金额", "订单状态", "订单类型", "下单帐号", "客户姓名",
    "客户地址", "联系电话", "订单备注", "发票类型", "发票抬头", "发票内容", "商家备注",
    "商家备注等级", "运费金额", "付款确认时间", "增值税发票", "货号", "订单完成时间",
    "订单来源", "订单渠道", "送装服务", "服务费", "仓库id", "仓库名称",
)  # fmt: skip


def _jd_row(
    order: str,
    sku: str,
    name: str,
    count: Any,
    price: Any,
    total: str,
    pay: str,
    state: str,
    start: str,
    paid: str,
    end: str,
    pay_type: str = "4-在线支付",
) -> tuple:
    return (order, sku, name, count, pay_type, start, price, total, total, "0.00", pay, state,
            "普通订单", "jd_u1", "张*", "北京 朝阳区 ~AgAAAA~", "138****1234", "", "电子发票",
            "个人", "明细", "", "", "2.07", paid, "", f"HH-{sku[-2:]}", end, "", "", "", "0",
            "1", "北京仓")  # fmt: skip


JD_ORDERS = Table(
    JD_HEADER,
    (
        _jd_row('="301234567890"', "\t100012345678", "保温杯 红", 1, "99.00", "198.00", "200.07",
                "等待发货", "2026-10-01 09:12:44", "2026-10-01 09:13:02", ""),
        _jd_row('="301234567890"', "\t100012345679", "保温杯 蓝", 1, "99.00", "198.00", "200.07",
                "等待发货", "2026-10-01 09:12:44", "2026-10-01 09:13:02", ""),
        _jd_row('="301234567891"', "100012345680", "茶杯", "2", "25.00\t", "50.00", "52.07",
                "完成", "2026-10-02 08:00:00", "2026-10-02 08:00:40", "2026-10-05 18:00:00"),
        _jd_row('="301234567892"', "100012345680", "茶杯", "1", "25.00", "25.00", "27.07",
                "等待出库", "2026-10-03 08:00:00", "", "", "1-货到付款"),
    ),
)  # fmt: skip


def _jd_api(
    order: str,
    state: str,
    start: str,
    paid: str,
    pay: str,
    total: str,
    items: list[tuple[str, str, str, str]],
    end: str = "",
    pay_type: str = "4-在线支付",
) -> dict:
    body = {"orderId": order, "orderState": state, "orderStartTime": start,
            "paymentConfirmTime": paid, "orderPayment": pay, "orderTotalPrice": total,
            "freightPrice": "2.07", "payType": pay_type,
            "consigneeInfo": {"fullname": "张*", "mobile": "138****1234",
                              "fullAddress": "北京 朝阳区 ~AgAAAA~"},
            "itemInfoList": [{"skuId": sku, "skuName": name, "itemTotal": count, "jdPrice": price}
                             for sku, name, count, price in items]}  # fmt: skip
    if end:
        body["orderEndTime"] = end
    return body


JD_API = [
    _jd_api("301234567890", "WAIT_SELLER_DELIVERY", "2026-10-01 09:12:44", "2026-10-01 09:13:02",
            "200.07", "198.00", [("100012345678", "保温杯 红", "1", "99.00"),
                                 ("100012345679", "保温杯 蓝", "1", "99.00")]),
    _jd_api("301234567891", "FINISHED_L", "2026-10-02 08:00:00", "2026-10-02 08:00:40", "52.07",
            "50.00", [("100012345680", "茶杯", "2", "25.00")], end="2026-10-05 18:00:00"),
    _jd_api("301234567892", "WAIT_SELLER_STOCK_OUT", "2026-10-03 08:00:00",
            "0001-01-01 00:00:00", "27.07", "25.00", [("100012345680", "茶杯", "1", "25.00")],
            pay_type="1-货到付款"),
]  # fmt: skip

PDD_HEADER = (
    "商品", "订单号", "订单状态", "商品总价(元)", "店铺优惠折扣(元)", "平台优惠折扣(元)",
    "邮费(元)", "用户实付金额(元)", "商家实收金额(元)", "商品数量(件)", "订单成交时间",
    "支付时间", "商品id", "商品规格", "样式ID", "快递单号", "快递公司", "售后状态",
)  # fmt: skip

PDD_ORDERS = Table(
    PDD_HEADER,
    (
        ("保温杯", "260607-400000294410900", "已发货，待签收", "168.99\t", "0\t", "0\t", "0\t",
         "168.99\t", "168.99\t", "1\t", "2026/6/6 13:41:07", "2026/6/6 13:41:30", "9006178211",
         "红色", "1", "YT123", "圆通", "无售后或售后取消"),
        ("保温杯", "260608-400000294410901", "已签收，退款成功", "20.00\t", "1.00\t", "0\t",
         "2.07\t", "21.07\t", "21.07\t", "2\t", "2026-06-08 09:00:00", "2026-06-08 09:00:10",
         "9006178211", "蓝色", "2", "", "", "退款成功"),
    ),
)  # fmt: skip

PDD_API = [
    {"order_sn": "260607-400000294410900", "order_status": 2, "confirm_status": 1,
     "refund_status": 1, "after_sales_status": 0, "created_time": "2026-06-06 13:41:07",
     "pay_time": "2026-06-06 13:41:30", "pay_amount": Decimal("168.99"),
     "goods_amount": Decimal("168.99"), "postage": 0, "seller_discount": 0,
     "platform_discount": 0, "tracking_number": "YT123"},
    {"order_sn": "260608-400000294410901", "order_status": 3, "confirm_status": 2,
     "refund_status": 4, "after_sales_status": 10, "created_time": "2026-06-08 09:00:00",
     "pay_time": "2026-06-08 09:00:10", "pay_amount": Decimal("21.07"), "goods_amount": 20,
     "postage": Decimal("2.07"), "seller_discount": 1, "platform_discount": 0},
]  # fmt: skip

WECHAT_HEADER = (
    "订单号", "订单状态", "下单时间", "支付时间", "发货时间", "确认收货时间", "商品ID", "SKU ID",
    "商品名称", "商品数量", "商品单价", "商品总价", "运费", "优惠金额", "实付金额", "收货人",
    "联系电话", "详细地址",
)  # fmt: skip

WECHAT_ORDERS = Table(
    WECHAT_HEADER,
    (
        ('="3712345678901234567"', "待收货", "2026-10-01 09:12:44", "2026-10-01 09:13:02",
         "2026-10-02 10:00:00", "", "10000012345", "100000123451", "保温杯 红", "1", "99.00",
         "198.00", "2.07", "0.00", "200.07", "张三", "'13800001234", "广东省 深圳市"),
        ('="3712345678901234567"', "待收货", "2026-10-01 09:12:44", "2026-10-01 09:13:02",
         "2026-10-02 10:00:00", "", "10000012346", "100000123461", "保温杯 蓝", "1", "99.00",
         "198.00", "2.07", "0.00", "200.07", "张三", "'13800001234", "广东省 深圳市"),
        ('="3712345678901234999"', "已完成", "2026-10-03 12:00:00", "2026-10-03 12:00:05",
         "2026-10-03 18:00:00", "2026-10-06 18:00:00", "10000012347", "100000123471", "茶杯",
         "3", "10.00", "30.00", "0.00", "5.00", "25.00", "李四", "'13900001234", "广东省 广州市"),
    ),
)  # fmt: skip


def _wx_api(
    order: str,
    status: int,
    created: str,
    paid: str,
    shipped: str,
    confirmed: str,
    lines: list[tuple[str, str, str, int, int]],
    product: int,
    freight: int,
    discount: int,
    total: int,
    name: str,
    phone: str,
    address: str,
) -> dict:
    ext = {"confirm_receipt_time": epoch(confirmed)} if confirmed else None
    detail = {
        "pay_info": {"pay_time": epoch(paid)},
        "delivery_info": {"ship_done_time": epoch(shipped),
                          "address_info": {"user_name": name, "tel_number": phone,
                                           "detail_info": address}},
        **({"ext_info": ext} if ext else {}),
        "price_info": {"order_price": total, "product_price": product, "freight": freight,
                       "discounted_price": discount},
        "product_infos": [{"product_id": pid, "sku_id": sku, "title": title, "sku_cnt": count,
                           "sale_price": price} for pid, sku, title, count, price in lines],
    }  # fmt: skip
    return {"order_id": order, "status": status, "create_time": epoch(created),
            "order_detail": detail}  # fmt: skip


WECHAT_API = [
    _wx_api("3712345678901234567", 30, "2026-10-01 09:12:44", "2026-10-01 09:13:02",
            "2026-10-02 10:00:00", "",
            [("10000012345", "100000123451", "保温杯 红", 1, 9900),
             ("10000012346", "100000123461", "保温杯 蓝", 1, 9900)],
            19800, 207, 0, 20007, "张三", "13800001234", "广东省 深圳市"),
    _wx_api("3712345678901234999", 100, "2026-10-03 12:00:00", "2026-10-03 12:00:05",
            "2026-10-03 18:00:00", "2026-10-06 18:00:00",
            [("10000012347", "100000123471", "茶杯", 3, 1000)],
            3000, 0, 500, 2500, "李四", "13900001234", "广东省 广州市"),
]  # fmt: skip

#: Per platform: the order export, the separate item export (Taobao), the API objects.
SAMPLES: dict[str, tuple[Table, Table | None, list[dict]]] = {
    "taobao": (TAOBAO_ORDERS, TAOBAO_ITEMS, TAOBAO_API),
    "jd": (JD_ORDERS, None, JD_API),
    "pdd": (PDD_ORDERS, None, PDD_API),
    "wechat": (WECHAT_ORDERS, None, WECHAT_API),
}


def _csv_cell(value: Any) -> str:
    text = str(value)
    if text.startswith('="'):
        return text  # the formula stays outside quotes, as the seller centres write it
    return '"' + text.replace('"', '""') + '"'


def write_csv(table: Table, path: Path, encoding: str) -> Path:
    """The table as CSV text: every value double-quoted, `utf-8-sig` (BOM) or `gbk`."""
    lines = []
    for cells in (table.header, *table.rows):
        line = ",".join(_csv_cell(cell) for cell in cells)
        lines.append(line + ("," if table.trailing_comma else ""))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def _xlsx_cell(value: Any) -> Any:
    """Plain numbers become number cells, as a spreadsheet stores them; wrapped text stays text."""
    if isinstance(value, str) and re.fullmatch(r"\d{1,15}", value):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\d+\.\d+", value):
        return float(value)
    return value


def write_xlsx(table: Table, path: Path) -> Path:
    """The table as an XLSX workbook (first sheet)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("订单")
    sheet.append(list(table.header))
    for cells in table.rows:
        row = []
        for value in cells:
            cell = WriteOnlyCell(sheet, value=_xlsx_cell(value))
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # ="…" stored as text, as the seller centres write it
            row.append(cell)
        sheet.append(row)
    workbook.save(path)
    return path
