"""What a check found, in the shape every layer above passes on: a differing order.

Checks (expectations/) produce these rows, the orchestration layer carries them in the
check's outcome, and alerts (alerts/) show them; none of them agree on string keys.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class DiffRow:
    """One differing order, as a check lists it and an alert shows it."""

    unified_key: str
    platform: str
    native_order_id: str
    issue: str  # e.g. missing_in_erp, amount_mismatch, status_mismatch
    reason_code: str  # e.g. pdd_refund_only_as_cancelled, amount_unit_error
    detail: str  # human text, e.g. "ERP isum 20007.00 vs paid 200.07"

    def as_dict(self) -> dict[str, str]:
        """The row as plain JSON-ready values."""
        return asdict(self)

    @classmethod
    def from_mapping(cls, row: dict[str, Any]) -> DiffRow:
        """A row from a database or JSON mapping; missing or null fields become ''."""
        return cls(**{name: str(row.get(name) or "") for name in cls.__dataclass_fields__})
