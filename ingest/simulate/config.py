"""Configuration of the synthetic merchant: volume, calendar, platform mix and fault rates.

Every rate is a probability per *eligible* order (see the field comments); an order draws
every rate independently, so one order can carry several faults.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

from domain.sources import PLATFORMS

PLATFORM_NAMES: tuple[str, ...] = tuple(s.name for s in PLATFORMS)


@dataclass(frozen=True)
class FaultRates:
    """Per-order probabilities of each fault or notable fact."""

    missing_in_erp: float = 0.01  # paid, not held orders with no U8 sales order at all
    missing_in_ledger: float = 0.008  # paid, not held orders with no ledger settlement
    pdd_refund_only: float = 0.03  # PDD orders that end refund-only (仅退款)
    pdd_refund_only_as_cancelled: float = 0.5  # of those with an ERP record: booked 作废
    erp_amount_unit_error: float = 0.004  # ERP orders written in fen (x100), head and lines
    erp_field_shift: float = 0.003  # ERP orders whose sum holds the post fee
    erp_timezone_drift: float = 0.005  # ERP orders whose date is naive UTC
    ledger_epoch_millis: float = 0.005  # ledger orders whose booked_at is epoch-ms number
    partial_refund: float = 0.02  # paid orders (not held / refund-only) partly refunded
    full_refund: float = 0.015  # paid orders (not held / refund-only) refunded before shipping
    risk_control_hold: float = 0.02  # PDD orders held by risk control at the end
    duplicate_delivery: float = 0.01  # orders with one payload version delivered twice
    bad_payload: float = 0.001  # junk orders added per order, each must be quarantined

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"FaultRates.{f.name} must be within [0, 1], got {value!r}")
        pairs = (
            ("risk_control_hold", "pdd_refund_only"),
            ("erp_amount_unit_error", "erp_field_shift"),
            ("full_refund", "partial_refund"),
        )
        for a, b in pairs:
            if getattr(self, a) + getattr(self, b) > 1.0:
                raise ValueError(f"FaultRates.{a} + FaultRates.{b} must not exceed 1")


FAULT_NAMES: tuple[str, ...] = tuple(f.name for f in fields(FaultRates))


@dataclass(frozen=True)
class SimulationConfig:
    """What to simulate: how many orders, over which China-time days, on which platforms."""

    seed: int = 7
    orders_per_day: int = 4200
    days: int = 30
    start_date: date = date(2026, 10, 1)  # China-time calendar date of day 1
    platform_mix: tuple[tuple[str, float], ...] = (
        ("taobao", 0.40),
        ("jd", 0.25),
        ("pdd", 0.25),
        ("wechat", 0.10),
    )
    faults: FaultRates = field(default_factory=FaultRates)

    def __post_init__(self) -> None:
        if self.orders_per_day < 0 or self.days < 0:
            raise ValueError("orders_per_day and days must not be negative")
        if not self.platform_mix:
            raise ValueError("platform_mix must name at least one platform")
        seen: set[str] = set()
        for name, weight in self.platform_mix:
            if name not in PLATFORM_NAMES:
                raise ValueError(f"unknown platform {name!r}; expected one of {PLATFORM_NAMES}")
            if name in seen:
                raise ValueError(f"platform {name!r} appears twice in platform_mix")
            if weight < 0:
                raise ValueError(f"platform weight for {name!r} must not be negative")
            seen.add(name)
        if sum(w for _, w in self.platform_mix) <= 0:
            raise ValueError("platform_mix weights must add up to more than 0")

    @property
    def total_orders(self) -> int:
        """Platform orders simulated, junk orders excluded."""
        return self.orders_per_day * self.days
