"""The order stream: plans orders one at a time and appends their records and truth to a chunk."""

from __future__ import annotations

import heapq
import random
from operator import attrgetter, itemgetter

from ingest.simulate.catalogue import build_catalogue
from ingest.simulate.clock import CreationClock
from ingest.simulate.config import SimulationConfig
from ingest.simulate.formats import utc_datetime
from ingest.simulate.ids import NativeIds
from ingest.simulate.junk import make_junk
from ingest.simulate.lifecycle import Planner
from ingest.simulate.model import RawRecord, SimulatedChunk
from ingest.simulate.payloads import PLATFORM_RENDERERS
from ingest.simulate.payloads.ledger import LedgerBook
from ingest.simulate.payloads.refunds import render_refunds
from ingest.simulate.payloads.u8 import U8Book
from ingest.simulate.truth import order_faults, order_truth

_by_instant = itemgetter(0)
_by_emitted = attrgetter("emitted_at")


def _rng(seed: int, purpose: str) -> random.Random:
    return random.Random(f"ordersight-sim:{seed}:{purpose}")


class OrderStream:
    """Stateful generator of consecutive orders; all state is bounded (no per-order growth)."""

    def __init__(self, config: SimulationConfig) -> None:
        seed = config.seed
        self._orders_rng = _rng(seed, "orders")
        self._faults_rng = _rng(seed, "faults")
        self._junk_rng = _rng(seed, "junk")
        self._clock = iter(
            CreationClock(
                _rng(seed, "clock"), config.start_date, config.days, config.orders_per_day
            )
        )
        self._ids = NativeIds(seed)
        self._planner = Planner(config, self._ids, build_catalogue(_rng(seed, "catalogue")))
        self._u8 = U8Book()
        self._ledger = LedgerBook()
        self._index = 0
        self._junk_index = config.total_orders
        self._junk_rate = config.faults.bad_payload

    def emit_next(self, chunk: SimulatedChunk) -> None:
        """Append the next order (and a junk order, when one is due) to `chunk`."""
        created = next(self._clock)
        plan = self._planner.plan(self._index, created, self._orders_rng, self._faults_rng)
        self._index += 1
        source, native_id = plan.source, plan.native_id
        rows = [
            (ms, source, native_id, text)
            for ms, text in PLATFORM_RENDERERS[source](plan, self._ids)
        ]
        csocode = None
        if plan.in_erp:
            csocode, versions = self._u8.render(plan)
            rows += [(ms, "u8", csocode, text) for ms, text in versions]
        if plan.in_ledger:
            rows += [(ms, "ledger", entry, text) for ms, entry, text in self._ledger.render(plan)]
        rows.sort(key=_by_instant)
        records = [RawRecord(s, n, t, utc_datetime(ms)) for ms, s, n, t in rows]
        duplicated = None
        if plan.duplicate:
            at = int(plan.duplicate_pick * len(records))
            duplicated = records[at]
            records.insert(at + 1, duplicated)
        refunds = render_refunds(plan, self._ids)
        if refunds:
            # merged after the duplicate is drawn, so refunds never shift which record it is
            refund_records = [RawRecord(s, n, t, utc_datetime(ms)) for s, n, ms, t in refunds]
            refund_records.sort(key=_by_emitted)
            records = list(heapq.merge(records, refund_records, key=_by_emitted))
        chunk.records += records
        chunk.orders.append(order_truth(plan))
        if plan.notable or duplicated is not None:
            chunk.faults += order_faults(plan, csocode, duplicated)
        junk_rng = self._junk_rng
        if junk_rng.random() < self._junk_rate:
            record, truth, fault = make_junk(
                self._planner,
                self._ids,
                junk_rng,
                self._junk_index,
                created + int(junk_rng.random() * 60_000),
            )
            self._junk_index += 1
            chunk.records.append(record)
            chunk.orders.append(truth)
            chunk.faults.append(fault)
