"""MerchantSimulator: the synthetic merchant's orders, ERP and ledger, chunk by chunk."""

from __future__ import annotations

from collections.abc import Iterator

from ingest.simulate.config import SimulationConfig
from ingest.simulate.model import SimulatedChunk
from ingest.simulate.stream import OrderStream


class MerchantSimulator:
    """Deterministic synthetic merchant: the same config always yields the same bytes.

    Records of each order (all sources) come in emitted_at order and orders in creation
    order; chunk boundaries do not change the concatenated output. Every `chunks()` call
    starts the simulation afresh.
    """

    def __init__(self, config: SimulationConfig) -> None:
        self._config = config

    @property
    def config(self) -> SimulationConfig:
        """The configuration simulated."""
        return self._config

    @property
    def total_orders(self) -> int:
        """orders_per_day * days: the regular orders, junk excluded."""
        return self._config.total_orders

    def chunks(self, chunk_orders: int = 2000) -> Iterator[SimulatedChunk]:
        """Chunks of `chunk_orders` regular orders each (the last may be smaller), plus the
        junk orders that follow them; memory stays bounded by the chunk size."""
        if chunk_orders < 1:
            raise ValueError("chunk_orders must be at least 1")
        stream = OrderStream(self._config)
        chunk = SimulatedChunk()
        in_chunk = 0
        for _ in range(self.total_orders):
            stream.emit_next(chunk)
            in_chunk += 1
            if in_chunk == chunk_orders:
                yield chunk
                chunk = SimulatedChunk()
                in_chunk = 0
        if in_chunk:
            yield chunk
