"""The courier channels ordersight hears tracking from, and the trust each earns (docs/tracking.md).

A channel is how a status reached us: a courier's own push or query API, an aggregator's push,
or a person typing it in. Trust follows the channel (docs/domain.md §3): the courier's own data
is green, an aggregator's yellow, a manual entry red. Customers see green and yellow; red is
shown greyed as "信息待核实" until confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass

TRUST_GREEN = "green"
TRUST_YELLOW = "yellow"
TRUST_RED = "red"
TRUST_RANK = {TRUST_RED: 1, TRUST_YELLOW: 2, TRUST_GREEN: 3}

PUSH = "push"
POLL = "poll"
MANUAL = "manual"


@dataclass(frozen=True)
class Channel:
    """One way tracking reaches ordersight."""

    name: str  # as stored in tracking.events.channel and the seed's channel column
    label: str
    kind: str  # PUSH, POLL or MANUAL
    trust: str
    carrier: str | None  # the carrier it speaks for; None for aggregators (they name it per push)


CHANNELS: tuple[Channel, ...] = (
    Channel("sf", "SF Express route push", PUSH, TRUST_GREEN, "SF"),
    Channel("zto", "ZTO trace push", PUSH, TRUST_GREEN, "ZTO"),
    Channel("kuaidi100", "Kuaidi100 subscription push", PUSH, TRUST_YELLOW, None),
    Channel("aftership", "AfterShip-style webhook", PUSH, TRUST_YELLOW, None),
    Channel("zjs", "宅急送 query API (polled)", POLL, TRUST_GREEN, "ZJS"),
    Channel("sure", "速尔 query API (polled)", POLL, TRUST_GREEN, "SURE"),
    Channel("manual", "typed in by a person", MANUAL, TRUST_RED, None),
)
CHANNELS_BY_NAME = {channel.name: channel for channel in CHANNELS}
POLLED_CHANNELS = tuple(channel for channel in CHANNELS if channel.kind == POLL)


@dataclass(frozen=True)
class Carrier:
    """A courier company as the tracking page names it."""

    code: str
    label: str  # Chinese, what the customer reads
    phone: str


CARRIERS: tuple[Carrier, ...] = (
    Carrier("SF", "顺丰速运", "95338"),
    Carrier("ZTO", "中通快递", "95311"),
    Carrier("YTO", "圆通速递", "95554"),
    Carrier("STO", "申通快递", "95543"),
    Carrier("YD", "韵达快递", "95546"),
    Carrier("JD", "京东物流", "950616"),
    Carrier("EMS", "中国邮政 EMS", "11183"),
    Carrier("ZJS", "宅急送", "400-678-9000"),
    Carrier("SURE", "速尔快递", "400-158-9888"),
)
CARRIERS_BY_CODE = {carrier.code: carrier for carrier in CARRIERS}

# Kuaidi100 `com` and AfterShip `slug` values onto carrier codes.
AGGREGATOR_CARRIER_CODES = {
    "shunfeng": "SF",
    "sf-express": "SF",
    "zhongtong": "ZTO",
    "zto-express": "ZTO",
    "yuantong": "YTO",
    "yto": "YTO",
    "shentong": "STO",
    "sto": "STO",
    "yunda": "YD",
    "yunda-express": "YD",
    "jd": "JD",
    "jd-logistics": "JD",
    "ems": "EMS",
    "china-ems": "EMS",
    "zhaijisong": "ZJS",
    "suer": "SURE",
}


def carrier_code(name: str) -> str:
    """The carrier code of an aggregator's carrier name (`shunfeng` → `SF`), else it in capitals."""
    return AGGREGATOR_CARRIER_CODES.get(name.strip().lower(), name.strip().upper())


# The logistics states every native code maps onto (seed logistics_state_map), in track order.
LOGISTICS_STATES: tuple[str, ...] = (
    "info_received",
    "picked_up",
    "in_transit",
    "at_hub",
    "out_for_delivery",
    "delivered",
    "delivered_to_locker",
    "exception",
    "returning",
    "returned",
)
