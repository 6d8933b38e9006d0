"""The synthetic merchant: deterministic platform orders, ERP sales orders and ledger entries
with injected faults and ground truth, streamed in bounded memory.

Payload shapes follow docs/payloads.md; landing them is another module's job.
"""

import hashlib
from pathlib import Path

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
    "simulator_fingerprint",
]


def simulator_fingerprint() -> str:
    """A digest of the simulator's own code: a changed simulator is a different simulation."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
