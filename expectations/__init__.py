"""Great Expectations checks over ordersight's reconciliation marts.

Two public checks, each returning a :class:`CheckOutcome` (plain, JSON-able data, ready to be
wrapped as a Dagster asset check by the orchestration layer):

- :func:`check_drift`: every 30-minute reconciliation window drifts by at most the drift
  threshold (``domain.rules.DRIFT_THRESHOLD``, 0.3 %) in paid-order count and amount; a
  failure names the offending windows and the differing orders inside them.
- :func:`check_completeness`: a platform's orders carry their required fields, valid unified
  keys and standard states, and no payload of that platform was quarantined for an unmapped
  native (refund) status.

An outcome only passes when the validation provably ran (every expectation evaluated, none
raised, the batch had rows). Great Expectations is imported lazily, on the first check.
"""

from expectations.completeness import check_completeness
from expectations.drift import check_drift
from expectations.outcome import CheckOutcome

__all__ = [
    "CheckOutcome",
    "check_completeness",
    "check_drift",
]
