"""Data model of one month's cross-platform consistency report (docs/domain.md §1).

Money is integer fen wherever it appears; shares and drift are plain floats (fractions, so
0.003 means 0.3 %). The mapping from reconciliation reason codes to human causes lives here
and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.sources import PLATFORM_CODES

#: The sales channels the report always lists, in this order (even with no orders): the
#: platforms of the source registry (``domain.sources``), whose labels name them on the page.
CHANNELS: tuple[str, ...] = PLATFORM_CODES

#: reason_code → the cause shown to finance and order-ops. Unknown codes are shown as-is.
CAUSES: dict[str, str] = {
    "pdd_refund_only_as_cancelled": "Pinduoduo refund-only (仅退款) read as cancelled by the ERP",
    "status_semantics": "status semantics differ between systems",
    "hold_booked_as_paid": "risk-control hold booked as paid",
}


def cause_for(reason_code: str) -> str:
    """The human cause of a reason code; the code itself when it has no description."""
    return CAUSES.get(reason_code, reason_code)


@dataclass(frozen=True)
class ChannelStats:
    """Completeness of one channel's orders created in the month."""

    channel: str
    orders: int
    paid_orders: int
    missing_in_erp: int
    missing_in_ledger: int
    missing_rate: float  # (missing_in_erp + missing_in_ledger) / paid_orders, 0 when none paid
    top_missing_fields: tuple[tuple[str, int], ...]  # up to 3 (field, count), worst first


@dataclass(frozen=True)
class MisjudgementCase:
    """An order whose status another system misread, with the cause."""

    unified_key: str  # "" when the diff row could not be tied to a unified key
    channel: str
    platform_state: str  # standard state on the platform side; "" when unknown
    other_system: str
    other_status: str
    reason_code: str
    cause: str
    native_order_id: str = ""  # the platform's own id, to find the order when the key is missing


@dataclass(frozen=True)
class DriftPoint:
    """Reconciliation drift of one source system on one China-time day."""

    day: date
    source_system: str
    max_drift: float
    mean_drift: float
    drifting_windows: int
    windows: int


@dataclass(frozen=True)
class MonthlyReport:
    """Everything the monthly consistency report shows, for one China-time calendar month."""

    month: date  # first day of the month
    generated_at: datetime  # tz-aware UTC
    channels: tuple[ChannelStats, ...]
    misjudgements: tuple[MisjudgementCase, ...]
    drift: tuple[DriftPoint, ...]
    reason_counts: tuple[tuple[str, int], ...]  # reason_code → distinct differing orders

    def __post_init__(self) -> None:
        if self.month.day != 1 or isinstance(self.month, datetime):
            raise ValueError(f"month must be the first day of a month (a date), got {self.month!r}")
        if self.generated_at.utcoffset() is None:
            raise ValueError("generated_at must be timezone-aware")

    @property
    def label(self) -> str:
        """The month as ``yyyy-mm``."""
        return f"{self.month.year:04d}-{self.month.month:02d}"

    @property
    def total_orders(self) -> int:
        """Orders created in the month over all channels."""
        return sum(c.orders for c in self.channels)
