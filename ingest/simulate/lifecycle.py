"""One simulated order's whole life, decided up front: platform, items, stage, events, faults.

`Planner.plan` draws everything about an order from two `random.Random` streams: the order
stream (what happens) and the fault stream (a fixed number of draws per order, so changing a
fault rate never reshuffles the orders themselves). Payload renderers only read the plan.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable

from domain.sources import source_named
from ingest.simulate.catalogue import FULL_NAMES, PHONE_PREFIXES, PLACES, Product
from ingest.simulate.config import SimulationConfig
from ingest.simulate.formats import DAY_MS, HOUR_MS, MINUTE_MS, china_date
from ingest.simulate.ids import NativeIds

# Standard stages, in order.
CREATED, PAID, PICKING, SHIPPED, COMPLETED = "created", "paid", "picking", "shipped", "completed"
STAGE_RANK = {CREATED: 0, PAID: 1, PICKING: 2, SHIPPED: 3, COMPLETED: 4}

# Refund outcomes (OrderTruth.expected_refund_status).
NO_REFUND, PARTIAL, FULL, REFUND_ONLY = "none", "partial", "full", "refund_only"

# Event kinds: each is one payload version on the platform.
EV_CREATED = "created"
EV_CANCELLED = "cancelled"  # closed before payment
EV_PAID = "paid"
EV_PICKING = "picking"
EV_SHIPPED = "shipped"
EV_COMPLETED = "completed"
EV_REFUND_REQUESTED = "refund_requested"
EV_REFUNDED = "refunded"

# ERP states.
ERP_APPROVED, ERP_CLOSED, ERP_VOID = "审核", "关闭", "作废"


# Intended furthest stage of an ordinary order.
STAGE_SHARES: tuple[tuple[str, float], ...] = (
    (CREATED, 0.03),
    (PAID, 0.15),
    (PICKING, 0.05),
    (SHIPPED, 0.30),
    (COMPLETED, 0.47),
)
CANCEL_UNPAID_SHARE = 0.02  # closed before payment (not on JD: its order search has no such state)
# JD cash-on-delivery / pay-later orders not paid yet: WAIT_SELLER_STOCK_OUT with the not-paid
# sentinel, which the standard model must read as created, not paid (docs/domain.md §2)
JD_COD_UNPAID_SHARE = 0.02
PICKING_PASS_THROUGH = 0.15  # shipped/completed TB/JD/WX orders that show a picking version
WECHAT_GIFT_SHARE = 0.01  # WeChat gift orders: pay_time a few seconds before create_time
JD_MILLIS_SHARE = 0.5  # JD orders whose times carry milliseconds and +0800
SHIPPED_SHARE_OF_LATE = 0.30 / 0.77  # shipped vs completed when an outcome forces "late"

_FAULT_DRAWS = 10
_NO_FAULT_DRAWS = (1.0,) * _FAULT_DRAWS


def _cumulative(shares: tuple[tuple[str, float], ...]) -> tuple[tuple[str, ...], list[float]]:
    names, cumulative, total = [], [], 0.0
    for name, share in shares:
        total += share
        names.append(name)
        cumulative.append(total)
    return tuple(names), [c / total for c in cumulative]


class OrderPlan:
    """Everything about one order; renderers turn it into payload versions.

    Class attributes are the defaults of the rarely set fields (an order only stores what
    differs), which keeps planning cheap.
    """

    index: int
    source: str  # taobao | jd | pdd | wechat
    code: str  # TB | JD | PDD | WX
    native_id: str
    tid: int = 0  # Taobao tid as a number
    created: int  # epoch ms
    pay: int | None = None  # epoch ms of payment, None if never paid
    events: list[tuple[int, str]]  # (epoch ms, EV_*) in time order
    stage: str
    cancelled: bool = False
    hold: bool = False
    refund_kind: str = NO_REFUND
    refund_fen: int = 0
    lines: list[tuple[Product, int]]  # (product, quantity)
    goods_fen: int
    post_fen: int
    payment_fen: int
    buyer: str
    phone: str
    province: str
    city: str
    street: str  # street and house number
    address: str  # province + city + street
    gift: bool = False
    jd_millis: bool = False
    in_erp: bool = False
    erp_amount_fault: str | None = None  # 'unit' | 'shift'
    erp_tz_drift: bool = False
    erp_refund_only_void: bool = False
    erp_at: int = 0
    erp_final_state: str | None = None
    erp_final_at: int = 0
    in_ledger: bool = False
    ledger_epoch: bool = False
    settled_at: int = 0
    refund_booked_at: int = 0
    duplicate: bool = False
    duplicate_pick: float = 0.0
    notable: bool = False  # has at least one FaultTruth (besides duplicate delivery)


class Planner:
    """Draws order plans for one simulation run."""

    def __init__(
        self, config: SimulationConfig, ids: NativeIds, catalogue: tuple[Product, ...]
    ) -> None:
        self._rates = config.faults
        self._ids = ids
        self._catalogue = catalogue
        self._platforms, self._platform_cum = _cumulative(config.platform_mix)
        self._stages, self._stage_cum = _cumulative(STAGE_SHARES)
        self._paid_stages, self._paid_stage_cum = _cumulative(STAGE_SHARES[1:])

    def plan(
        self,
        index: int,
        created: int,
        rng: random.Random,
        fault_rng: random.Random | None,
        *,
        force_paid: bool = False,
    ) -> OrderPlan:
        """The plan of order number `index` created at `created` (epoch ms).

        `fault_rng=None` draws no faults and no special outcomes; `force_paid` makes an order
        that is paid and goes no further (both used for junk orders).
        """
        r = rng.random
        p = OrderPlan()
        p.index = index
        p.created = created
        platforms = self._platforms
        p.source = platforms[min(bisect_right(self._platform_cum, r()), len(platforms) - 1)]
        p.code = source_named(p.source).code
        if fault_rng is None:
            draws = _NO_FAULT_DRAWS
        else:
            f = fault_rng.random
            draws = (f(), f(), f(), f(), f(), f(), f(), f(), f(), f())  # _FAULT_DRAWS
        (special, refund, miss_erp, amount, tz, void, miss_ledger, epoch, dup, dup_pick) = draws
        self._identify(p)
        self._fill_basket(p, r)
        _fill_buyer(p, r)
        cancel_unpaid = self._decide_outcome(p, r, special, refund, force_paid)
        if p.stage == CREATED:
            _unpaid_events(p, r, cancel_unpaid)
        else:
            last = _paid_events(p, r)
            if not force_paid:
                self._book(p, r, last, (miss_erp, amount, tz, void, miss_ledger, epoch))
        if dup < self._rates.duplicate_delivery and not force_paid:
            p.duplicate = True
            p.duplicate_pick = dup_pick
        return p

    def _identify(self, p: OrderPlan) -> None:
        ids = self._ids
        source = p.source
        if source == "taobao":
            p.tid = ids.taobao(p.index)
            p.native_id = str(p.tid)
        elif source == "jd":
            p.native_id = ids.jd(p.index)
        elif source == "pdd":
            day = china_date(p.created)
            p.native_id = ids.pdd(p.index, day[2:4] + day[5:7] + day[8:10])
        else:
            p.native_id = ids.wechat(p.index)

    def _fill_basket(self, p: OrderPlan, r: Callable[[], float]) -> None:
        catalogue = self._catalogue
        k = r()
        n_lines = 1 if k < 0.6 else 2 if k < 0.85 else 3 if k < 0.95 else 4
        lines = []
        goods = 0
        for _ in range(n_lines):
            product = catalogue[int(r() * len(catalogue))]
            q = r()
            qty = 1 if q < 0.8 else 2 if q < 0.95 else 3
            lines.append((product, qty))
            goods += product.price_fen * qty
        post = 0 if r() < 0.65 else 600 + 100 * int(r() * 7)
        p.lines = lines
        p.goods_fen = goods
        p.post_fen = post
        p.payment_fen = goods + post

    def _decide_outcome(
        self,
        p: OrderPlan,
        r: Callable[[], float],
        special: float,
        refund: float,
        force_paid: bool,
    ) -> bool:
        """Sets stage, hold, refund and cancellation; returns whether it closed unpaid."""
        rates = self._rates
        source = p.source
        hold = refund_only = False
        if source == "pdd" and not force_paid:
            if special < rates.risk_control_hold:
                hold = p.hold = True
            elif special < rates.risk_control_hold + rates.pdd_refund_only:
                refund_only = True
        refund_kind = NO_REFUND
        if refund_only:
            refund_kind = REFUND_ONLY
        elif not hold:
            if refund < rates.full_refund:
                refund_kind = FULL
            elif refund < rates.full_refund + rates.partial_refund:
                refund_kind = PARTIAL
        x = r()
        y = r()
        cancel_unpaid = False
        if force_paid or hold:
            stage = PAID
        elif refund_only:
            stage = SHIPPED if x < SHIPPED_SHARE_OF_LATE else COMPLETED
        elif source != "jd" and x < CANCEL_UNPAID_SHARE:
            stage = CREATED
            cancel_unpaid = True
        elif source == "jd" and x < JD_COD_UNPAID_SHARE:
            stage = CREATED
        else:
            if source == "jd":
                stage = self._paid_stages[bisect_right(self._paid_stage_cum, y)]
            else:
                stage = self._stages[bisect_right(self._stage_cum, y)]
            if source == "pdd" and stage == PICKING:
                stage = PAID
            # refunds are drawn per paid order; they pull the stage to where they happen
            if refund_kind == FULL and stage in (SHIPPED, COMPLETED):
                stage = PAID if source == "pdd" or r() < 0.75 else PICKING
            elif refund_kind == PARTIAL and stage in (PAID, PICKING):
                stage = SHIPPED if r() < SHIPPED_SHARE_OF_LATE else COMPLETED
        p.stage = stage
        if stage != CREATED and refund_kind != NO_REFUND:
            p.refund_kind = refund_kind
            payment = p.payment_fen
            if refund_kind == PARTIAL:
                p.refund_fen = min(payment - 1, max(100, int(payment * (0.1 + 0.5 * r()))))
            else:
                p.refund_fen = payment
            p.cancelled = refund_kind == FULL
        if cancel_unpaid:
            p.cancelled = True
        return cancel_unpaid

    def _book(
        self,
        p: OrderPlan,
        r: Callable[[], float],
        last: int,
        draws: tuple[float, float, float, float, float, float],
    ) -> None:
        """ERP sales order and ledger settlement of a paid order, with their faults.

        Timings are drawn whatever the faults, so fault rates never shift the order stream.
        """
        miss_erp, amount, tz, void, miss_ledger, epoch = draws
        rates = self._rates
        pay = p.pay if p.pay is not None else p.created
        erp_at = pay + 5 * MINUTE_MS + int(r() * 115 * MINUTE_MS)
        erp_final_at = max(last, erp_at) + 10 * MINUTE_MS + int(r() * 6 * HOUR_MS)
        settled_at = pay + int(r() * 5_001)
        refund_booked_at = last + int(r() * 5_001)
        refund_kind = p.refund_kind
        notable = p.hold or refund_kind != NO_REFUND
        if miss_erp < rates.missing_in_erp and not p.hold:
            notable = True
        else:
            p.in_erp = True
            p.erp_at = erp_at
            p.erp_final_at = erp_final_at
            if amount < rates.erp_amount_unit_error:
                p.erp_amount_fault = "unit"
                notable = True
            elif amount < rates.erp_amount_unit_error + rates.erp_field_shift:
                p.erp_amount_fault = "shift"
                notable = True
            if tz < rates.erp_timezone_drift:
                p.erp_tz_drift = notable = True
            if refund_kind == FULL:
                p.erp_final_state = ERP_VOID
            elif refund_kind == REFUND_ONLY:
                p.erp_refund_only_void = void < rates.pdd_refund_only_as_cancelled
                p.erp_final_state = ERP_VOID if p.erp_refund_only_void else ERP_CLOSED
            elif p.stage == COMPLETED:
                p.erp_final_state = ERP_CLOSED
        if p.hold:
            pass  # funds frozen: no settlement, and that is not a fault
        elif miss_ledger < rates.missing_in_ledger:
            notable = True
        else:
            p.in_ledger = True
            p.settled_at = settled_at
            p.refund_booked_at = refund_booked_at
            if epoch < rates.ledger_epoch_millis:
                p.ledger_epoch = notable = True
        p.notable = notable


def _fill_buyer(p: OrderPlan, r: Callable[[], float]) -> None:
    p.buyer = FULL_NAMES[int(r() * len(FULL_NAMES))]
    p.phone = (
        PHONE_PREFIXES[int(r() * len(PHONE_PREFIXES))]
        + str(100_000_000 + int(r() * 100_000_000))[1:]
    )
    p.province, p.city, street, address = PLACES[int(r() * len(PLACES))]
    house = f"{1 + int(r() * 399)}号"
    p.street = street + house
    p.address = address + house


def _unpaid_events(p: OrderPlan, r: Callable[[], float], cancel: bool) -> None:
    created = p.created
    p.events = [(created, EV_CREATED)]
    if cancel:
        p.events.append((created + 15 * MINUTE_MS + int(r() * 23 * HOUR_MS), EV_CANCELLED))


def _paid_events(p: OrderPlan, r: Callable[[], float]) -> int:
    """Payment and every later transition of a paid order; returns the last instant."""
    source, stage, created = p.source, p.stage, p.created
    if source == "wechat" and r() < WECHAT_GIFT_SHARE:
        p.gift = True
        pay = created - 2_000 - int(r() * 28_000)
        last = created
    else:
        pay = last = created + MINUTE_MS + int(r() * 19 * MINUTE_MS)
    p.pay = pay
    if source == "jd":
        p.jd_millis = r() < JD_MILLIS_SHARE
    events = [(last, EV_PAID)]
    reach = STAGE_RANK[stage]
    if stage == PICKING or (reach >= 3 and source != "pdd" and r() < PICKING_PASS_THROUGH):
        last += 20 * MINUTE_MS + int(r() * 340 * MINUTE_MS)
        events.append((last, EV_PICKING))
    if reach >= 3:
        last += 2 * HOUR_MS + int(r() * 44 * HOUR_MS)
        events.append((last, EV_SHIPPED))
        if reach == 4:
            last += 2 * DAY_MS + int(r() * 8 * DAY_MS)
            events.append((last, EV_COMPLETED))
    if p.refund_kind != NO_REFUND:
        last += 10 * MINUTE_MS + int(r() * 48 * HOUR_MS)
        events.append((last, EV_REFUND_REQUESTED))
        last += 10 * MINUTE_MS + int(r() * 24 * HOUR_MS)
        events.append((last, EV_REFUNDED))
    p.events = events
    return last
