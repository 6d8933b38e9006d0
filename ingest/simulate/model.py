"""What the simulator produces: raw records as the sources send them, plus ground truth."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, init=False)
class RawRecord:
    """One payload version as a source would expose it (see docs/payloads.md)."""

    source: str  # name of a domain.sources source
    native_id: str | None  # as text; None only when the payload lacks it (junk)
    payload: str  # JSON text exactly as the source would send it
    emitted_at: datetime  # tz-aware UTC: when the source would expose this version

    def __init__(
        self, source: str, native_id: str | None, payload: str, emitted_at: datetime
    ) -> None:
        # Same as the generated frozen __init__, three times faster (millions are made).
        self.__dict__.update(
            source=source, native_id=native_id, payload=payload, emitted_at=emitted_at
        )


@dataclass(frozen=True, init=False)
class OrderTruth:
    """What a correct pipeline must conclude about one simulated platform order."""

    platform: str  # 'TB' | 'JD' | 'PDD' | 'WX'
    native_id: str | None
    created_at: datetime  # tz-aware UTC
    expected_state: str  # created | paid | picking | shipped | completed (furthest stage)
    expected_is_cancelled: bool
    expected_refund_status: str  # none | partial | full | refund_only
    expected_is_on_hold: bool
    payment_fen: int  # what the buyer paid (goods + post fee), 0 if never paid
    refund_fen: int
    expected_in_erp: bool  # an ERP sales order exists for it
    expected_in_ledger: bool  # a ledger settlement exists for it
    expect_quarantine: bool
    quarantine_kind: str | None  # unknown_status | bad_time | bad_amount | missing_field

    def __init__(
        self,
        platform: str,
        native_id: str | None,
        created_at: datetime,
        expected_state: str,
        expected_is_cancelled: bool,
        expected_refund_status: str,
        expected_is_on_hold: bool,
        payment_fen: int,
        refund_fen: int,
        expected_in_erp: bool,
        expected_in_ledger: bool,
        expect_quarantine: bool,
        quarantine_kind: str | None,
    ) -> None:
        # Same as the generated frozen __init__, several times faster (one per order).
        self.__dict__.update(
            platform=platform,
            native_id=native_id,
            created_at=created_at,
            expected_state=expected_state,
            expected_is_cancelled=expected_is_cancelled,
            expected_refund_status=expected_refund_status,
            expected_is_on_hold=expected_is_on_hold,
            payment_fen=payment_fen,
            refund_fen=refund_fen,
            expected_in_erp=expected_in_erp,
            expected_in_ledger=expected_in_ledger,
            expect_quarantine=expect_quarantine,
            quarantine_kind=quarantine_kind,
        )


@dataclass(frozen=True)
class FaultTruth:
    """One injected fault (or notable fact) on one order, and where it lives."""

    platform: str
    native_id: str | None
    system: str  # source name where the fault lives: taobao/jd/pdd/wechat/u8/ledger
    fault: str  # a FaultRates field name, or 'bad_payload'
    detail: str


@dataclass
class SimulatedChunk:
    """The records and truth of a run of consecutive orders (junk ones ride along)."""

    records: list[RawRecord] = field(default_factory=list)
    orders: list[OrderTruth] = field(default_factory=list)
    faults: list[FaultTruth] = field(default_factory=list)
