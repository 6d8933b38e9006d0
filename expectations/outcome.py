"""The result of one check: what a caller (a Dagster asset check, the CLI) gets back."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass
class CheckOutcome:
    """Outcome of one check.

    ``ran`` is true only when the validation provably executed on a non-empty batch;
    ``passed`` implies ``ran``. ``metadata`` holds JSON-able values only (numbers, strings,
    booleans, None, lists and dicts of those).
    """

    name: str
    passed: bool
    ran: bool
    summary: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The outcome as a plain dict (JSON-able)."""
        return asdict(self)


def not_run(name: str, summary: str, **metadata: Any) -> CheckOutcome:
    """An outcome for a check that could not run (missing table, empty batch, GE error...)."""
    return CheckOutcome(
        name=name, passed=False, ran=False, summary=summary, metadata=jsonable(metadata)
    )


def jsonable(value: Any) -> Any:
    """``value`` with Decimals, datetimes and tuples turned into JSON-able equivalents."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return jsonable(float(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    return str(value)


def pct(share: float | Decimal | None, digits: int = 4) -> float | None:
    """A fraction as a percentage, rounded (0.0041 -> 0.41)."""
    if share is None:
        return None
    return round(float(share) * 100, digits)
