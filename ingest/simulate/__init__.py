"""The synthetic merchant: deterministic platform orders, ERP sales orders and ledger entries
with injected faults and ground truth, streamed in bounded memory.

Payload shapes follow docs/payloads.md; landing them is another module's job.
"""

from ingest.simulate.config import FAULT_NAMES, FaultRates, SimulationConfig
from ingest.simulate.junk import QUARANTINE_KINDS
from ingest.simulate.merchant import MerchantSimulator
from ingest.simulate.model import FaultTruth, OrderTruth, RawRecord, SimulatedChunk

__all__ = [
    "FAULT_NAMES",
    "QUARANTINE_KINDS",
    "FaultRates",
    "FaultTruth",
    "MerchantSimulator",
    "OrderTruth",
    "RawRecord",
    "SimulatedChunk",
    "SimulationConfig",
]
