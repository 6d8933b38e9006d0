"""Synthetic merchant: determinism, streaming, payload contract (docs/payloads.md), ground truth."""

from __future__ import annotations

import json
import math
import re
import tracemalloc
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from domain.sources import SOURCES_BY_NAME
from ingest.simulate import (
    FAULT_NAMES,
    QUARANTINE_KINDS,
    FaultRates,
    FaultTruth,
    MerchantSimulator,
    OrderTruth,
    RawRecord,
    SimulationConfig,
)

CHINA = timezone(timedelta(hours=8))
PAYLOADS_MD = Path(__file__).resolve().parents[1] / "docs" / "payloads.md"
PLATFORM_OF = {"taobao": "TB", "jd": "JD", "pdd": "PDD", "wechat": "WX"}
SOURCE_OF = {code: source for source, code in PLATFORM_OF.items()}

SECONDS_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
JD_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{3}\+0800)?$")
MILLIS_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$")
YUAN_RE = re.compile(r"^\d+\.\d{2}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --------------------------------------------------------------------------- contract lists


def _doc_section(title: str) -> str:
    text = PAYLOADS_MD.read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _doc_list(title: str, key: str, pattern: str = r"[A-Z][A-Z_]{2,}") -> set[str]:
    """Values listed in docs/payloads.md after "- `key`..." up to the next bullet."""
    section = _doc_section(title)
    match = re.search(rf"^- `{key}`[^:]*:(.*?)(?=^- |\Z)", section, re.S | re.M)
    assert match, f"{key} list not found in docs/payloads.md section {title}"
    return set(re.findall(pattern, match.group(1)))


TAOBAO_STATUSES = _doc_list("Taobao", "status")
TAOBAO_REFUND_STATUSES = _doc_list("Taobao", "refund_status")
JD_STATES = _doc_list("JD", "orderState")
WECHAT_STATUSES = {int(v) for v in _doc_list("WeChat", "status", r"\b\d{2,3}\b")}
# PDD's codes are prose in docs/payloads.md ("`order_status` 1 to ship, 2 shipped, 3 signed; ...")
PDD_ORDER_STATUS = {1, 2, 3}
PDD_CONFIRM = {0, 1, 2}
PDD_REFUND = {1, 2, 3, 4}
PDD_AFTER_SALES = {2, 3}  # after_sales_type on a refund: refund only, return and refund
REFUND_SOURCES = {"taobao_refunds": "TB", "jd_refunds": "JD", "pdd_refunds": "PDD"}
REFUND_SOURCES |= {"wechat_refunds": "WX"}
# (asked, succeeded, refused or closed) statuses of each platform's refunds
REFUND_STATUS_FIELD = {"TB": "status", "JD": "status", "PDD": "after_sales_status", "WX": "status"}
REFUND_ORDER_FIELD = {"TB": "tid", "JD": "orderId", "PDD": "order_sn", "WX": "order_id"}
REFUND_SUCCEEDED = {"TB": "SUCCESS", "JD": 3, "PDD": 10, "WX": "MERCHANT_REFUND_SUCCESS"}
REFUND_SETTLED = {
    "TB": {"SUCCESS", "SELLER_REFUSE_BUYER"},
    "JD": {3, 2},
    "PDD": {10, 11},
    "WX": {"MERCHANT_REFUND_SUCCESS", "USER_CANCELD"},
}
REFUND_ASKED = {
    "TB": {"WAIT_SELLER_AGREE"},
    "JD": {0},
    "PDD": {2, 3},
    "WX": {"MERCHANT_PROCESSING"},
}
PDD_AFTER_SALES_STATUS = {0: {1}, 2: {2}, 3: {2}, 10: {4}}  # after_sales_status: refund_status
U8_STATES = {"开立", "审核", "关闭", "作废"}


def test_contract_lists_were_read() -> None:
    assert {"WAIT_BUYER_PAY", "TRADE_CLOSED_BY_TAOBAO", "TRADE_FINISHED"} <= TAOBAO_STATUSES
    assert "SUCCESS" in TAOBAO_REFUND_STATUSES and "NO_REFUND" in TAOBAO_REFUND_STATUSES
    assert {"WAIT_SELLER_STOCK_OUT", "TRADE_CANCELED", "PAUSE"} <= JD_STATES
    assert {10, 15, 16, 17, 20, 21, 30, 100, 190, 200, 250} == WECHAT_STATUSES


# --------------------------------------------------------------------------- helpers


@dataclass
class Run:
    records: list[RawRecord]
    orders: list[OrderTruth]
    faults: list[FaultTruth]
    chunk_sizes: list[int] = field(default_factory=list)  # non-junk orders per chunk

    def __post_init__(self) -> None:
        # JSON numbers with a fraction (PDD money) parse exactly, never through a float
        self.parsed = [json.loads(r.payload, parse_float=Decimal) for r in self.records]
        self.versions: dict[tuple[str, str | None], list[tuple[RawRecord, dict]]] = defaultdict(
            list
        )
        self.u8: dict[tuple[str, str], list[dict]] = defaultdict(list)
        self.u8_records: dict[str, list[RawRecord]] = defaultdict(list)
        self.ledger: dict[tuple[str, str], list[tuple[RawRecord, dict]]] = defaultdict(list)
        # (platform, order id) -> refund id -> its versions
        self.refunds: dict[tuple[str, str], dict[str, list[tuple[RawRecord, dict]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        previous = None
        for record, payload in zip(self.records, self.parsed, strict=True):
            if record == previous:
                continue  # a duplicate delivery: index each version once
            previous = record
            if record.source == "u8":
                self.u8[(payload["define1"], payload["define2"])].append(payload)
                self.u8_records[record.native_id].append(record)
            elif record.source == "ledger":
                self.ledger[(payload["platform"], payload["order_no"])].append((record, payload))
            elif record.source in REFUND_SOURCES:
                code = REFUND_SOURCES[record.source]
                order = str(payload[REFUND_ORDER_FIELD[code]])
                self.refunds[(code, order)][record.native_id].append((record, payload))
            else:
                key = (PLATFORM_OF[record.source], record.native_id)
                self.versions[key].append((record, payload))
        self.fault_names: dict[tuple[str, str | None], set[str]] = defaultdict(set)
        for f in self.faults:
            self.fault_names[(f.platform, f.native_id)].add(f.fault)
        self.regular = [o for o in self.orders if not o.expect_quarantine]
        self.junk = [o for o in self.orders if o.expect_quarantine]

    def by_source(self, source: str) -> list[tuple[RawRecord, dict]]:
        pairs = zip(self.records, self.parsed, strict=True)
        return [(r, p) for r, p in pairs if r.source == source]


def run(config: SimulationConfig, chunk_orders: int = 1000) -> Run:
    records: list[RawRecord] = []
    orders: list[OrderTruth] = []
    faults: list[FaultTruth] = []
    sizes = []
    for chunk in MerchantSimulator(config).chunks(chunk_orders):
        records += chunk.records
        orders += chunk.orders
        faults += chunk.faults
        sizes.append(sum(not o.expect_quarantine for o in chunk.orders))
    return Run(records, orders, faults, sizes)


def fen(yuan: str) -> int:
    assert YUAN_RE.match(yuan), yuan
    return int(Decimal(yuan) * 100)


def pdd_fen(value: object) -> int:
    """A PDD money field (JSON number, or a yuan string) in fen, exactly."""
    assert isinstance(value, int | Decimal | str) and not isinstance(value, bool), value
    amount = Decimal(value)
    assert amount == amount.quantize(Decimal("0.01")), value
    return int(amount * 100)


def pdd_confirm_status(p: dict) -> int:
    """confirm_status, or what it meant in the older shape without it."""
    return p.get("confirm_status", 1 if p["confirm_time"] else 0)


def china(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)


def jd_time(text: str) -> datetime:
    if text.endswith("+0800"):
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f%z")
    return china(text)


SMALL = SimulationConfig(seed=3, orders_per_day=150, days=3)
# Medium run with more junk so every quarantine kind shows up on every platform.
MEDIUM = SimulationConfig(
    seed=11, orders_per_day=2000, days=10, faults=replace(FaultRates(), bad_payload=0.01)
)


@pytest.fixture(scope="module")
def medium() -> Run:
    return run(MEDIUM)


# --------------------------------------------------------------------------- determinism


def _fingerprint(r: Run) -> tuple:
    return (r.records, r.orders, r.faults)


def test_same_seed_same_bytes_whatever_the_chunk_size() -> None:
    reference = run(SMALL, 1000)
    assert reference.records
    for chunk_orders in (1, 7, 64, 450):
        assert _fingerprint(run(SMALL, chunk_orders)) == _fingerprint(reference)
    sim = MerchantSimulator(SMALL)  # a second pass over the same simulator starts afresh
    first = [c.records for c in sim.chunks(100)]
    assert [c.records for c in sim.chunks(100)] == first


def test_different_seed_differs() -> None:
    a = run(SMALL)
    b = run(replace(SMALL, seed=4))
    assert a.records != b.records
    ids_a = {o.native_id for o in a.orders}
    ids_b = {o.native_id for o in b.orders}
    assert len(ids_a & ids_b) < len(ids_a) // 10


def test_changing_a_fault_rate_keeps_the_orders() -> None:
    base = run(SMALL)
    more = run(replace(SMALL, faults=replace(FaultRates(), erp_amount_unit_error=0.5)))
    assert [o.native_id for o in base.regular] == [o.native_id for o in more.regular]
    assert [o.created_at for o in base.regular] == [o.created_at for o in more.regular]
    assert sum("erp_amount_unit_error" in v for v in more.fault_names.values()) > 50


# --------------------------------------------------------------------------- chunking and ids


def test_chunks_cover_exactly_total_orders(medium: Run) -> None:
    sim = MerchantSimulator(MEDIUM)
    assert sim.total_orders == 20_000
    assert len(medium.regular) == 20_000
    assert medium.chunk_sizes == [1000] * 20
    keys = [(o.platform, o.native_id) for o in medium.orders if o.native_id is not None]
    assert len(keys) == len(set(keys))
    assert all(o.platform in SOURCE_OF for o in medium.orders)


def test_last_chunk_may_be_short_and_bad_chunk_size_rejected() -> None:
    sizes = run(SMALL, 200).chunk_sizes
    assert sizes == [200, 200, 50]
    with pytest.raises(ValueError):
        next(MerchantSimulator(SMALL).chunks(0))


def test_creation_times_follow_the_calendar(medium: Run) -> None:
    start = datetime(2026, 10, 1, tzinfo=CHINA)
    days = Counter()
    hours = Counter()
    for o in medium.regular:
        assert o.created_at.tzinfo is not None and o.created_at.utcoffset() == timedelta(0)
        local = o.created_at.astimezone(CHINA)
        assert start <= local < start + timedelta(days=10)
        days[local.date()] += 1
        hours[local.hour] += 1
    assert set(days.values()) == {2000}
    assert hours[21] > 3 * hours[4]  # evening peak vs night trough
    created = [o.created_at for o in medium.regular]
    assert created == sorted(created)


def test_native_ids_have_platform_formats(medium: Run) -> None:
    patterns = {
        "TB": r"^\d{16,19}$",
        "JD": r"^\d+$",
        "PDD": r"^\d{6}-\d{15}$",
        "WX": r"^\d{19}$",
    }
    for o in medium.regular:
        assert re.match(patterns[o.platform], o.native_id), o
        if o.platform == "PDD":
            assert o.native_id[:6] == o.created_at.astimezone(CHINA).strftime("%y%m%d")


# --------------------------------------------------------------------------- payload contract


def test_payloads_are_compact_json_as_json_dumps_writes_it(medium: Run) -> None:
    for record in medium.records:
        payload = json.loads(record.payload)  # the shape check only: floats round-trip here
        assert json.dumps(payload, ensure_ascii=False, separators=(",", ":")) == record.payload
        assert record.source in SOURCES_BY_NAME
        assert record.emitted_at.utcoffset() == timedelta(0)


def test_native_id_of_a_record_is_its_payload_id(medium: Run) -> None:
    for record, payload in zip(medium.records, medium.parsed, strict=True):
        field_name = SOURCES_BY_NAME[record.source].native_id_field
        if record.native_id is None:
            assert field_name not in payload
        else:
            assert str(payload[field_name]) == record.native_id


def _regular_versions(medium: Run, source: str) -> list[tuple[RawRecord, dict]]:
    junk = {(o.platform, o.native_id) for o in medium.junk}
    code = PLATFORM_OF[source]
    return [(r, p) for r, p in medium.by_source(source) if (code, r.native_id) not in junk]


def test_taobao_payloads(medium: Run) -> None:
    versions = _regular_versions(medium, "taobao")
    assert versions
    for record, p in versions:
        assert isinstance(p["tid"], int) and 16 <= len(str(p["tid"])) <= 19
        assert p["tid_str"] == str(p["tid"]) and p["type"] == "fixed"
        assert p["status"] in TAOBAO_STATUSES
        # real trades carry no trade-level refund status: it is per sub-order
        assert "refund_status" not in p
        assert re.fullmatch(r"1\d{6}\*{4}", p["receiver_mobile"]), p["receiver_mobile"]
        for key in ("created", "modified", "pay_time", "consign_time", "end_time"):
            if key in p:
                assert SECONDS_RE.match(p[key]), p[key]
        assert (
            china(p["modified"]) <= record.emitted_at < china(p["modified"]) + timedelta(seconds=1)
        )
        status = p["status"]
        assert ("pay_time" in p) != (status in ("WAIT_BUYER_PAY", "TRADE_CLOSED_BY_TAOBAO"))
        assert ("consign_time" in p) == (status in ("WAIT_BUYER_CONFIRM_GOODS", "TRADE_FINISHED"))
        assert ("end_time" in p) == (
            status in ("TRADE_FINISHED", "TRADE_CLOSED", "TRADE_CLOSED_BY_TAOBAO")
        )
        assert fen(p["payment"]) == fen(p["total_fee"]) + fen(p["post_fee"])
        lines = p["orders"]["order"]
        assert 1 <= len(lines) <= 4
        refunds = {line["refund_status"] for line in lines}
        assert refunds <= TAOBAO_REFUND_STATUSES
        assert "refund_fee" not in p, "refund amounts come from the refund API"
        assert sum(fen(line["total_fee"]) for line in lines) == fen(p["total_fee"])
        # a single sub-order's payment is the trade's; several add up to it with the post fee
        paid_lines = sum(fen(line["payment"]) for line in lines)
        assert paid_lines == fen(p["payment"]) - (0 if len(lines) == 1 else fen(p["post_fee"]))
        for line in lines:
            assert line["oid_str"] == str(line["oid"])
            assert fen(line["price"]) * line["num"] == fen(line["total_fee"])
            assert 990 <= fen(line["price"]) <= 89_900
            assert line["status"] == (
                "TRADE_CLOSED" if line["refund_status"] == "SUCCESS" else status
            )


def test_jd_payloads(medium: Run) -> None:
    versions = _regular_versions(medium, "jd")
    styles = Counter()
    for record, p in versions:
        assert isinstance(p["orderId"], str) and p["orderId"].isdigit()
        assert p["orderState"] in JD_STATES
        assert not {"afsStatus", "refundAmount"} & set(p)  # not on real orders
        assert "modified" not in p  # real orders carry it in orderExt
        for key in ("orderStartTime", "paymentConfirmTime", "orderEndTime"):
            if key in p:
                assert JD_TIME_RE.match(p[key]), p[key]
        millis = p["orderStartTime"].endswith("+0800")
        styles[millis] += 1
        ext = json.loads(p["orderExt"])
        assert isinstance(ext["modified"], int)
        modified = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ext["modified"])
        assert modified <= record.emitted_at < modified + timedelta(seconds=1)
        assert millis or ext["modified"] % 1000 == 0
        assert p["consigneeInfo"]["fullname"].startswith("~")  # ciphertext, as JD sends it
        assert re.match(r"^\d{3}\*{4}\d{4}$", p["consigneeInfo"]["mobile"])
        if p["paymentConfirmTime"] == JD_NOT_PAID:  # cash on delivery, not paid yet
            assert (p["orderState"], p["payType"]) == ("WAIT_SELLER_STOCK_OUT", "1-货到付款")
        else:
            assert p["payType"] == "4-在线支付"
        assert fen(p["orderPayment"]) == fen(p["orderTotalPrice"]) + fen(p["freightPrice"])
        assert fen(p["sellerDiscount"]) == 0
        for item in p["itemInfoList"]:
            assert item["itemTotal"].isdigit() and YUAN_RE.match(item["jdPrice"])
    assert 0.4 < styles[True] / len(versions) < 0.6


def test_pdd_payloads(medium: Run) -> None:
    versions = _regular_versions(medium, "pdd")
    older = [p for _, p in versions if "confirm_status" not in p]
    assert 0 < len(older) < len(versions)
    assert not any(p.get("confirm_status") == 2 for p in older)
    for record, p in versions:
        assert re.match(r"^\d{6}-\d{15}$", p["order_sn"])
        assert p["order_status"] in PDD_ORDER_STATUS
        assert pdd_confirm_status(p) in PDD_CONFIRM
        assert p["refund_status"] in PDD_REFUND
        assert p["refund_status"] in PDD_AFTER_SALES_STATUS[p["after_sales_status"]]
        assert not {"after_sales_type", "refund_amount"} & set(p)  # on the after-sale only
        assert p["risk_control_status"] in (0, 1)
        assert SECONDS_RE.match(p["created_time"]) and SECONDS_RE.match(p["updated_at"])
        assert p["order_sn"][:6] == china(p["created_time"]).strftime("%y%m%d")
        assert china(p["updated_at"]) <= record.emitted_at
        assert (p["pay_time"] == "") == (pdd_confirm_status(p) != 1)
        assert p["confirm_time"] == p["pay_time"]
        for key in ("pay_time", "shipping_time", "receive_time"):
            assert p[key] == "" or SECONDS_RE.match(p[key])
        assert re.match(r"^\d{3}\*{4}\d{4}$", p["receiver_phone_mask"])
        assert p["receiver_name_mask"][0] == p["receiver_name"][:1] or not p["receiver_name"]
        plain = p["order_status"] == 1 and p["risk_control_status"] == 0
        if plain:
            assert re.match(r"^1\d{10}$", p["receiver_phone"]) and p["receiver_name"]
            assert (
                p["receiver_phone_mask"]
                == p["receiver_phone"][:3] + "****" + p["receiver_phone"][-4:]
            )
        else:
            assert p["receiver_phone"] == "" and p["receiver_name"] == ""
        for key in ("goods_amount", "postage", "discount_amount", "pay_amount"):
            assert not isinstance(p[key], str)
            pdd_fen(p[key])
        assert pdd_fen(p["pay_amount"]) == pdd_fen(p["goods_amount"]) + pdd_fen(p["postage"])
        lines = sum(pdd_fen(i["goods_price"]) * i["goods_count"] for i in p["item_list"])
        assert lines == pdd_fen(p["goods_amount"])
        for item in p["item_list"]:
            assert isinstance(item["goods_id"], int) and isinstance(item["goods_count"], int)
            assert not isinstance(item["goods_price"], str | float)


def test_wechat_payloads(medium: Run) -> None:
    gifts = numeric_ids = ship_done_only = 0
    for record, p in _regular_versions(medium, "wechat"):
        # a 19-digit string, or a bare JSON number as some relays pass it on (never a float)
        assert isinstance(p["order_id"], int | str) and re.match(r"^\d{19}$", str(p["order_id"]))
        numeric_ids += isinstance(p["order_id"], int)
        assert p["status"] in WECHAT_STATUSES
        assert isinstance(p["create_time"], int) and isinstance(p["update_time"], int)
        assert p["update_time"] == int(record.emitted_at.timestamp())
        price = p["order_detail"]["price_info"]
        fen_fields = ("product_price", "order_price", "freight", "discounted_price")
        assert all(type(price[k]) is int for k in fen_fields)
        assert price["order_price"] == (
            price["product_price"] + price["freight"] - price["discounted_price"]
        )
        lines = p["order_detail"]["product_infos"]
        for item in lines:
            assert type(item["sale_price"]) is int and type(item["sku_cnt"]) is int
        assert sum(i["sale_price"] * i["sku_cnt"] for i in lines) == price["product_price"]
        assert ("pay_info" in p["order_detail"]) == (p["status"] not in (10, 250))
        if "pay_info" in p["order_detail"]:
            pay_time = p["order_detail"]["pay_info"]["pay_time"]
            assert isinstance(pay_time, int)
            gifts += pay_time < p["create_time"]
            assert p.get("is_present", False) == (pay_time < p["create_time"])
        delivery = p["order_detail"]["delivery_info"]
        packages = delivery.get("delivery_product_info", [])
        assert all(type(d["delivery_time"]) is int for d in packages)
        if p["status"] in (30, 100):
            assert type(delivery["ship_done_time"]) is int
        elif p["status"] in (10, 20, 21, 250):
            assert "ship_done_time" not in delivery
        ship_done_only += "ship_done_time" in delivery and not packages
        aftersale = p["aftersale_detail"]
        assert aftersale["on_aftersale_order_cnt"] <= len(aftersale["aftersale_order_list"])
        for sale in aftersale["aftersale_order_list"]:
            assert set(sale) == {"aftersale_order_id"}, "ids only: no amount on the order"
    assert gifts > 0  # gift orders: paid a few seconds before creation
    assert numeric_ids > 0 and ship_done_only > 0


def test_u8_payloads(medium: Run) -> None:
    # the OpenAPI saleorder object: code, date, custcode/cusname, state, sum/money, entry lines
    customers = {"TB": "TMALL01", "JD": "JD01", "PDD": "PDD01", "WX": "WX01"}
    codes = set()
    for record, p in medium.by_source("u8"):
        assert not {"csocode", "ddate", "ccuscode", "isum", "cdefine1", "cdefine2"} & set(p)
        assert re.match(r"^SO\d{14}$", p["code"]) and record.native_id == p["code"]
        codes.add(p["code"])
        assert p["state"] in U8_STATES
        assert SECONDS_RE.match(p["date"])
        assert customers[p["define1"]] == p["custcode"] and p["cusname"]
        assert re.match(r"^\d+(\.\d{2})?$", p["sum"])  # a unit-error sum has no decimals
        assert re.match(r"^\d+(\.\d{2})?$", p["money"]) and Decimal(p["money"]) <= Decimal(p["sum"])
        assert p["memo"] == ""
        assert p["entry"] and all(
            isinstance(line["quantity"], str) and isinstance(line["sum"], str)
            for line in p["entry"]
        )
        # U8 adds the head sum up from its lines, in the same unit
        assert sum(Decimal(line["sum"]) for line in p["entry"]) == Decimal(p["sum"])
        for line in p["entry"]:
            assert Decimal(line["quantity"]) * Decimal(line["taxunitprice"]) == Decimal(line["sum"])
    assert len(codes) == len(medium.u8)  # one code per sales order


def test_ledger_payloads(medium: Run) -> None:
    channels = {"TB": "alipay", "JD": "jdpay", "PDD": "pddpay", "WX": "wxpay"}
    entry_ids = set()
    for record, p in medium.by_source("ledger"):
        assert re.match(r"^LE\d{12}$", p["entry_id"])
        entry_ids.add(p["entry_id"])
        assert p["entry_type"] in ("settlement", "refund")
        assert channels[p["platform"]] == p["channel"]
        assert YUAN_RE.match(p["amount"]) and fen(p["amount"]) > 0
        assert re.match(r"^记-\d{4}-\d{2}-\d{5}$", p["voucher_no"])
        booked = p["booked_at"]
        if isinstance(booked, int):
            assert booked == round(record.emitted_at.timestamp() * 1000)
        else:
            assert MILLIS_RE.match(booked)
            local = datetime.strptime(booked, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=CHINA)
            assert local == record.emitted_at
    assert len(entry_ids) == len({r for r, _ in medium.by_source("ledger")})  # minus duplicates


# --------------------------------------------------------------------------- ground truth

STAGES = ("created", "paid", "picking", "shipped", "completed")
TAOBAO_STAGE = {
    "WAIT_BUYER_PAY": "created",
    "TRADE_CLOSED_BY_TAOBAO": "created",
    "WAIT_SELLER_SEND_GOODS": "paid",
    "SELLER_CONSIGNED_PART": "picking",
    "WAIT_BUYER_CONFIRM_GOODS": "shipped",
    "TRADE_FINISHED": "completed",
    "TRADE_CLOSED": "created",
}
JD_NOT_PAID = "0001-01-01 00:00:00"
JD_STAGE = {
    "WAIT_SELLER_STOCK_OUT": "paid",  # created while paymentConfirmTime is the not-paid sentinel
    "WAIT_SELLER_DELIVERY": "picking",
    "WAIT_GOODS_RECEIVE_CONFIRM": "shipped",
    "FINISHED_L": "completed",
    "TRADE_CANCELED": "created",
}
WECHAT_STAGE = {10: "created", 250: "created", 200: "created", 20: "paid", 21: "picking"}
WECHAT_STAGE |= {30: "shipped", 100: "completed"}
PDD_STAGE = {(1, 0): "created", (1, 2): "created", (1, 1): "paid", (2, 1): "shipped"}
PDD_STAGE |= {(3, 1): "completed"}


def _refund_fen(code: str, refund: dict) -> int:
    if code == "TB":
        return fen(refund["refund_fee"])
    if code == "JD":
        return pdd_fen(refund["applyRefundSum"])
    if code == "PDD":
        return fen(refund["refund_amount"])
    return refund["refund_info"]["amount"]


def _reference_model(source: str, versions: list[dict], refunds: dict) -> dict:
    """A tiny independent standard model: furthest stage over all versions, the rest from the
    last version, plus the rule "full refund before shipping means cancelled"."""
    furthest = 0
    for p in versions:
        if source == "taobao":
            stage = TAOBAO_STAGE[p["status"]]
        elif source == "jd":
            stage = JD_STAGE[p["orderState"]]
            if stage == "paid" and p["paymentConfirmTime"] == JD_NOT_PAID:
                stage = "created"
        elif source == "pdd":
            stage = PDD_STAGE[(p["order_status"], pdd_confirm_status(p))]
        else:
            stage = WECHAT_STAGE[p["status"]]
        furthest = max(furthest, STAGES.index(stage))
    last = versions[-1]
    hold = False
    if source == "taobao":
        paid = "pay_time" in last
        payment = fen(last["payment"])
        cancelled = last["status"] in ("TRADE_CLOSED_BY_TAOBAO", "TRADE_CLOSED")
    elif source == "jd":
        paid = last["paymentConfirmTime"] != JD_NOT_PAID
        payment = fen(last["orderPayment"])
        cancelled = last["orderState"] == "TRADE_CANCELED"
    elif source == "pdd":
        paid = last["pay_time"] != ""
        payment = pdd_fen(last["pay_amount"])
        cancelled = pdd_confirm_status(last) == 2
        hold = last["risk_control_status"] == 1
    else:
        paid = "pay_info" in last["order_detail"]
        payment = last["order_detail"]["price_info"]["order_price"]
        cancelled = last["status"] in (190, 200, 250)
    code = PLATFORM_OF[source]
    refund, refund_only = 0, False
    for refund_versions in refunds.values():  # the last version of each refund
        latest = refund_versions[-1][1]
        if latest[REFUND_STATUS_FIELD[code]] != REFUND_SUCCEEDED[code]:
            continue
        refund += _refund_fen(code, latest)
        refund_only |= code == "PDD" and latest["after_sales_type"] == 2
    refunded = refund > 0
    refund_only = refund_only and furthest >= STAGES.index("shipped")
    if not refunded:
        refund_status = "none"
    elif refund_only:
        refund_status = "refund_only"
    else:
        refund_status = "full" if refund == payment else "partial"
    if refund_status == "full" and furthest < STAGES.index("shipped"):
        cancelled = True
    return {
        "expected_state": STAGES[furthest],
        "expected_is_cancelled": cancelled,
        "expected_refund_status": refund_status,
        "expected_is_on_hold": hold,
        "payment_fen": payment if paid else 0,
        "refund_fen": refund if refunded else 0,
    }


def test_truth_matches_what_the_payloads_say(medium: Run) -> None:
    for o in medium.regular:
        versions = medium.versions[(o.platform, o.native_id)]
        payloads = [p for _, p in versions]
        refunds = medium.refunds.get((o.platform, o.native_id), {})
        expected = _reference_model(SOURCE_OF[o.platform], payloads, refunds)
        got = {k: getattr(o, k) for k in expected}
        assert got == expected, (o, payloads[-1])
        times = [r.emitted_at for r, _ in versions]
        assert times == sorted(times)
        assert versions[0][0].emitted_at >= o.created_at


def test_creation_time_in_payload_is_the_truth(medium: Run) -> None:
    for o in medium.regular:
        _, p = medium.versions[(o.platform, o.native_id)][0]
        if o.platform == "TB":
            stamp = china(p["created"])
        elif o.platform == "JD":
            stamp = jd_time(p["orderStartTime"])
        elif o.platform == "PDD":
            stamp = china(p["created_time"])
        else:
            stamp = datetime.fromtimestamp(p["create_time"], UTC)
        assert stamp <= o.created_at < stamp + timedelta(seconds=1)


def test_stage_mix_is_realistic(medium: Run) -> None:
    shares = Counter(o.expected_state for o in medium.regular)
    n = len(medium.regular)
    assert 0.40 < shares["completed"] / n < 0.55
    assert 0.25 < shares["shipped"] / n < 0.36
    assert 0.03 < shares["created"] / n < 0.07  # unpaid and cancelled before payment
    assert 0.02 < shares["picking"] / n < 0.07
    assert not any(o.platform == "PDD" and o.expected_state == "picking" for o in medium.regular)
    jd_unpaid = [o for o in medium.regular if o.platform == "JD" and o.payment_fen == 0]
    jd = [o for o in medium.regular if o.platform == "JD"]
    assert 0.01 < len(jd_unpaid) / len(jd) < 0.04  # cash on delivery, not paid yet
    for o in jd_unpaid:
        assert o.expected_state == "created" and not o.expected_is_cancelled
        assert not o.expected_in_erp and not o.expected_in_ledger
    cancelled_unpaid = [o for o in medium.regular if o.expected_is_cancelled and o.payment_fen == 0]
    assert 0.01 < len(cancelled_unpaid) / n < 0.03


def test_refund_semantics(medium: Run) -> None:
    for o in medium.regular:
        names = medium.fault_names[(o.platform, o.native_id)]
        if o.expected_refund_status == "refund_only":
            assert o.platform == "PDD" and "pdd_refund_only" in names
            assert o.refund_fen == o.payment_fen and not o.expected_is_cancelled
            assert o.expected_state in ("shipped", "completed")
        elif o.expected_refund_status == "full":
            assert "full_refund" in names and o.expected_is_cancelled
            assert o.refund_fen == o.payment_fen and o.expected_state in ("paid", "picking")
        elif o.expected_refund_status == "partial":
            assert "partial_refund" in names and not o.expected_is_cancelled
            assert 0 < o.refund_fen < o.payment_fen
            assert o.expected_state in ("shipped", "completed")
        else:
            assert o.refund_fen == 0


def test_refunds_come_as_records_of_the_refund_apis(medium: Run) -> None:
    kinds = Counter()
    orders = {(o.platform, o.native_id): o for o in medium.regular}
    for (code, order_id), refunds in medium.refunds.items():
        o = orders[(code, order_id)]
        assert o.expected_refund_status != "none"
        order_times = {r.emitted_at for r, _ in medium.versions[(code, order_id)]}
        succeeded = 0
        for refund_id, versions in refunds.items():
            statuses = [p[REFUND_STATUS_FIELD[code]] for _, p in versions]
            assert len(statuses) == 2, statuses
            assert statuses[0] in REFUND_ASKED[code] and statuses[1] in REFUND_SETTLED[code]
            times = [r.emitted_at for r, _ in versions]
            assert times == sorted(times) and times[0] > o.created_at
            if statuses[-1] == REFUND_SUCCEEDED[code]:  # the order changes when it succeeds
                assert times[-1] in order_times
            succeeded += statuses[-1] == REFUND_SUCCEEDED[code]
            p = versions[-1][1]
            if code == "TB":
                assert isinstance(p["refund_id"], int) and p["refund_id"] > 2**53
                assert isinstance(p["tid"], int) and isinstance(p["refund_fee"], str)
            elif code == "JD":
                assert not isinstance(p["applyRefundSum"], str) and isinstance(p["status"], int)
            elif code == "PDD":
                assert p["after_sales_type"] in PDD_AFTER_SALES
                assert isinstance(p["refund_amount"], str) and YUAN_RE.match(p["refund_amount"])
            else:
                assert type(p["refund_info"]["amount"]) is int and p["type"] in ("REFUND", "RETURN")
                assert refund_id.startswith(order_id)
        kinds["several"] += succeeded >= 2
        kinds["refused"] += succeeded < len(refunds)
        kinds[code] += 1
    assert all(kinds[k] > 0 for k in ("TB", "JD", "PDD", "WX", "several", "refused")), kinds
    refunded = {
        (o.platform, o.native_id) for o in medium.regular if o.expected_refund_status != "none"
    }
    assert refunded == set(medium.refunds)


def test_risk_control_holds(medium: Run) -> None:
    held = [o for o in medium.regular if o.expected_is_on_hold]
    assert held
    for o in held:
        names = medium.fault_names[(o.platform, o.native_id)]
        assert o.platform == "PDD" and "risk_control_hold" in names
        assert o.expected_state == "paid" and not o.expected_is_cancelled
        assert not o.expected_in_ledger and not medium.ledger[(o.platform, o.native_id)]
        assert "missing_in_ledger" not in names  # held funds are not a ledger fault
        assert o.expected_in_erp == ("missing_in_erp" not in names)
        assert bool(medium.u8[(o.platform, o.native_id)]) == o.expected_in_erp


def test_erp_records_follow_truth_and_faults(medium: Run) -> None:
    for o in medium.regular:
        key = (o.platform, o.native_id)
        names = medium.fault_names[key]
        erp = medium.u8[key]
        assert bool(erp) == o.expected_in_erp
        assert o.expected_in_erp == (o.payment_fen > 0 and "missing_in_erp" not in names)
        if not erp:
            continue
        assert erp[0]["state"] == "审核"
        entered = medium.u8_records[erp[0]["code"]][0].emitted_at
        naive = datetime.strptime(erp[0]["date"], "%Y-%m-%d %H:%M:%S")
        # drifted: the UTC wall clock written as if it were China time (8 h early)
        written = naive.replace(tzinfo=UTC if "erp_timezone_drift" in names else CHINA)
        assert written <= entered < written + timedelta(seconds=1)
        assert erp[0]["code"][2:10] == entered.astimezone(CHINA).strftime("%Y%m%d")
        payment_yuan = Decimal(o.payment_fen) / 100
        erp_sum = Decimal(erp[0]["sum"])
        if "erp_amount_unit_error" in names:
            assert erp_sum == payment_yuan * 100 and erp[0]["sum"] == str(o.payment_fen)
        elif "erp_field_shift" in names:
            platform_payload = medium.versions[key][-1][1]
            post = {
                "TB": lambda p: fen(p["post_fee"]),
                "JD": lambda p: fen(p["freightPrice"]),
                "PDD": lambda p: pdd_fen(p["postage"]),
                "WX": lambda p: p["order_detail"]["price_info"]["freight"],
            }[o.platform](platform_payload)
            assert erp_sum == Decimal(post) / 100 and erp_sum != payment_yuan
        else:
            assert erp_sum == payment_yuan
        final = erp[-1]["state"]
        if o.expected_refund_status == "full":
            assert final == "作废"
        elif o.expected_refund_status == "refund_only":
            assert final == ("作废" if "pdd_refund_only_as_cancelled" in names else "关闭")
        elif o.expected_state == "completed":
            assert final == "关闭"
        else:
            assert final == "审核" and len(erp) == 1


def test_missing_in_erp_has_no_sales_order_at_all(medium: Run) -> None:
    missing = [f for f in medium.faults if f.fault == "missing_in_erp"]
    assert missing
    referenced = {p["define2"] for _, p in medium.by_source("u8")}
    for f in missing:
        assert f.system == "u8" and f.native_id not in referenced


def test_ledger_follows_truth_and_faults(medium: Run) -> None:
    for o in medium.regular:
        key = (o.platform, o.native_id)
        names = medium.fault_names[key]
        entries = medium.ledger[key]
        settlements = [p for _, p in entries if p["entry_type"] == "settlement"]
        refunds = [p for _, p in entries if p["entry_type"] == "refund"]
        assert bool(settlements) == o.expected_in_ledger
        assert o.expected_in_ledger == (
            o.payment_fen > 0 and not o.expected_is_on_hold and "missing_in_ledger" not in names
        )
        if not settlements:
            assert not refunds
            continue
        assert len(settlements) == 1 and fen(settlements[0]["amount"]) == o.payment_fen
        assert [fen(p["amount"]) for p in refunds] == (
            [o.refund_fen] if o.expected_refund_status != "none" else []
        )
        epoch = isinstance(settlements[0]["booked_at"], int)
        assert epoch == ("ledger_epoch_millis" in names)
        record = next(r for r, p in entries if p["entry_type"] == "settlement")
        paid_at = _pay_time(o.platform, medium.versions[key][-1][1])
        assert timedelta(0) <= record.emitted_at - paid_at < timedelta(seconds=6)


def _pay_time(platform: str, p: dict) -> datetime:
    if platform == "TB":
        return china(p["pay_time"])
    if platform == "JD":
        return jd_time(p["paymentConfirmTime"])
    if platform == "PDD":
        return china(p["pay_time"])
    return datetime.fromtimestamp(p["order_detail"]["pay_info"]["pay_time"], UTC)


def test_duplicate_delivery_really_repeats_a_record(medium: Run) -> None:
    duplicates = [f for f in medium.faults if f.fault == "duplicate_delivery"]
    assert duplicates
    repeated = [a for a, b in zip(medium.records, medium.records[1:], strict=False) if a == b]
    assert len(repeated) == len(duplicates)
    assert len(set(medium.records)) == len(medium.records) - len(duplicates)
    by_order = {(f.platform, f.native_id): f.system for f in duplicates}
    for record in repeated:
        if record.source in PLATFORM_OF:
            key = (PLATFORM_OF[record.source], record.native_id)
        elif record.source == "u8":
            p = json.loads(record.payload)
            key = (p["define1"], p["define2"])
        else:
            p = json.loads(record.payload)
            key = (p["platform"], p["order_no"])
        assert by_order[key] == record.source


def _parses_as_time(source: str, value: object) -> bool:
    try:
        if source == "wechat":
            return isinstance(value, int)
        if source == "jd":
            jd_time(value)  # type: ignore[arg-type]
        else:
            china(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


def test_junk_orders_are_really_malformed(medium: Run) -> None:
    kinds = Counter((o.platform, o.quarantine_kind) for o in medium.junk)
    assert {k for _, k in kinds} == set(QUARANTINE_KINDS)
    assert {p for p, _ in kinds} == set(SOURCE_OF)
    junk_ids = {o.native_id for o in medium.junk}
    referenced = {p["define2"] for _, p in medium.by_source("u8")}
    referenced |= {p["order_no"] for _, p in medium.by_source("ledger")}
    assert not junk_ids & referenced
    creation = {
        "taobao": "created",
        "jd": "orderStartTime",
        "pdd": "created_time",
        "wechat": "create_time",
    }
    amount = {
        "taobao": lambda p: p["payment"],
        "jd": lambda p: p["orderPayment"],
        "pdd": lambda p: p["pay_amount"],
        "wechat": lambda p: p["order_detail"]["price_info"]["order_price"],
    }
    statuses = {
        "taobao": lambda p: p["status"] in TAOBAO_STATUSES,
        "jd": lambda p: p["orderState"] in JD_STATES,
        "pdd": lambda p: p["order_status"] in PDD_ORDER_STATUS,
        "wechat": lambda p: p["status"] in WECHAT_STATUSES,
    }
    junk_records = {(o.platform, o.native_id): o for o in medium.junk}
    seen = 0
    for record, p in zip(medium.records, medium.parsed, strict=True):
        key = (PLATFORM_OF.get(record.source), record.native_id)
        if key not in junk_records:
            continue
        o = junk_records[key]
        if o.native_id is None:
            continue  # several id-less junk payloads share this key; checked below
        seen += 1
        assert len(medium.versions[key]) == 1 and not o.expected_in_erp
        source = record.source
        if o.quarantine_kind == "unknown_status":
            assert not statuses[source](p)
        elif o.quarantine_kind == "bad_time":
            assert not _parses_as_time(source, p[creation[source]])
        elif o.quarantine_kind == "bad_amount":
            value = amount[source](p)
            assert not (isinstance(value, int) if source == "wechat" else YUAN_RE.match(value))
        else:
            assert creation[source] not in p
    idless = [o for o in medium.junk if o.native_id is None]
    assert idless and all(o.quarantine_kind == "missing_field" for o in idless)
    assert seen + len(idless) == len(medium.junk)
    nameless = [r for r in medium.records if r.native_id is None]
    assert len(nameless) == len(idless)
    for r in nameless:
        assert SOURCES_BY_NAME[r.source].native_id_field not in json.loads(r.payload)
    faults = [f for f in medium.faults if f.fault == "bad_payload"]
    assert len(faults) == len(medium.junk)


def test_fault_truth_names_and_systems(medium: Run) -> None:
    systems = {
        "missing_in_erp": {"u8"},
        "missing_in_ledger": {"ledger"},
        "pdd_refund_only": {"pdd"},
        "pdd_refund_only_as_cancelled": {"u8"},
        "erp_amount_unit_error": {"u8"},
        "erp_field_shift": {"u8"},
        "erp_timezone_drift": {"u8"},
        "ledger_epoch_millis": {"ledger"},
        "partial_refund": set(PLATFORM_OF),
        "full_refund": set(PLATFORM_OF),
        "risk_control_hold": {"pdd"},
        "duplicate_delivery": set(SOURCES_BY_NAME),
        "bad_payload": set(PLATFORM_OF),
    }
    assert set(systems) == set(FAULT_NAMES)
    seen = Counter()
    for f in medium.faults:
        assert f.system in systems[f.fault], f
        assert f.detail
        seen[f.fault] += 1
    assert set(seen) == set(FAULT_NAMES)
    per_order = Counter(
        (f.platform, f.native_id, f.fault) for f in medium.faults if f.native_id is not None
    )
    assert max(per_order.values()) == 1  # each fault once per affected order


def _within(observed: int, population: int, rate: float) -> bool:
    expected = population * rate
    return abs(observed - expected) <= 5 * math.sqrt(expected * (1 - rate)) + 3


def test_fault_rates_are_roughly_honoured(medium: Run) -> None:
    rates = MEDIUM.faults
    count = Counter()
    for names in medium.fault_names.values():
        count.update(names)
    regular = medium.regular
    paid = [o for o in regular if o.payment_fen > 0]
    pdd = [o for o in regular if o.platform == "PDD"]
    in_erp = [o for o in regular if o.expected_in_erp]
    refund_only_in_erp = [o for o in in_erp if o.expected_refund_status == "refund_only"]
    ordinary_paid = [
        o for o in paid if not o.expected_is_on_hold and o.expected_refund_status != "refund_only"
    ]
    checks = {
        "missing_in_erp": len(paid),
        "missing_in_ledger": len([o for o in paid if not o.expected_is_on_hold]),
        "pdd_refund_only": len(pdd),
        "risk_control_hold": len(pdd),
        "pdd_refund_only_as_cancelled": len(refund_only_in_erp),
        "erp_amount_unit_error": len(in_erp),
        "erp_field_shift": len(in_erp),
        "erp_timezone_drift": len(in_erp),
        "ledger_epoch_millis": len([o for o in regular if o.expected_in_ledger]),
        "partial_refund": len(ordinary_paid),
        "full_refund": len(ordinary_paid),
        "duplicate_delivery": len(regular),
        "bad_payload": len(regular),
    }
    assert set(checks) == set(FAULT_NAMES)
    for name, population in checks.items():
        assert _within(count[name], population, getattr(rates, name)), (
            name,
            count[name],
            population * getattr(rates, name),
        )
    mix = Counter(o.platform for o in regular)
    for code, share in (("TB", 0.40), ("JD", 0.25), ("PDD", 0.25), ("WX", 0.10)):
        assert _within(mix[code], len(regular), share)


# --------------------------------------------------------------------------- config, memory


def test_config_validation() -> None:
    with pytest.raises(ValueError):
        SimulationConfig(platform_mix=(("amazon", 1.0),))
    with pytest.raises(ValueError):
        SimulationConfig(days=-1)
    with pytest.raises(ValueError):
        FaultRates(missing_in_erp=1.5)
    with pytest.raises(ValueError):
        FaultRates(full_refund=0.6, partial_refund=0.6)
    assert {f.name for f in fields(FaultRates)} == set(FAULT_NAMES)


def test_single_platform_and_no_faults() -> None:
    config = SimulationConfig(
        orders_per_day=300,
        days=2,
        start_date=date(2027, 1, 30),
        platform_mix=(("wechat", 1.0),),
        faults=FaultRates(**{f.name: 0.0 for f in fields(FaultRates)}),
    )
    r = run(config)
    assert {o.platform for o in r.orders} == {"WX"} and len(r.orders) == 600
    assert not r.faults
    assert all(o.expected_in_erp == (o.payment_fen > 0) for o in r.orders)


def test_streaming_does_not_accumulate() -> None:
    config = SimulationConfig(seed=5, orders_per_day=1000, days=10)
    sim = MerchantSimulator(config)
    previous: weakref.ref | None = None
    orders = 0
    for chunk in sim.chunks(1000):
        if previous is not None:
            assert previous() is None  # the generator keeps no reference to old chunks
        previous = weakref.ref(chunk)
        orders += sum(not o.expect_quarantine for o in chunk.orders)
        del chunk
    assert orders == 10_000


def _peak_bytes(days: int) -> int:
    config = SimulationConfig(seed=5, orders_per_day=200, days=days)
    tracemalloc.start()
    try:
        for chunk in MerchantSimulator(config).chunks(50):
            del chunk
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_order_count() -> None:
    for chunk in MerchantSimulator(SimulationConfig(seed=5, orders_per_day=200, days=8)).chunks():
        del chunk  # warm the (bounded) time-text caches over the same calendar first
    small, large = _peak_bytes(2), _peak_bytes(8)  # 400 vs 1,600 orders
    assert large < small * 1.2
