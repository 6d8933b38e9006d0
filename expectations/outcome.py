"""The result of one check: what a caller (a Dagster asset check, the CLI) gets back.

The outcome travels whole: the orchestration layer stores :meth:`CheckOutcome.to_dict` in
the asset check's metadata and the alerting reads it back with :meth:`CheckOutcome.from_dict`,
so what an alert shows (figures, differing orders, their total) is typed, not looked up by key.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.findings import DiffRow


@dataclass
class CheckOutcome:
    """Outcome of one check.

    ``ran`` is true only when the validation provably executed on a non-empty batch;
    ``passed`` implies ``ran``. ``metadata`` holds JSON-able values only (numbers, strings,
    booleans, None, lists and dicts of those). ``figures`` are the (label, value) pairs a
    person reads first; ``rows`` the differing orders to show, of ``total_rows`` in all;
    ``diff_file`` the CSV holding every one of them, when one was written.
    """

    name: str
    passed: bool
    ran: bool
    summary: str
    metadata: dict[str, Any] = field(default_factory=dict)
    figures: tuple[tuple[str, str], ...] = ()
    rows: tuple[DiffRow, ...] = ()
    total_rows: int = 0
    diff_file: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The outcome as a plain dict (JSON-able)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckOutcome:
        """The outcome :meth:`to_dict` wrote (figures and rows come back typed)."""
        return cls(
            name=str(data["name"]),
            passed=bool(data["passed"]),
            ran=bool(data["ran"]),
            summary=str(data["summary"]),
            metadata=dict(data.get("metadata") or {}),
            figures=tuple((str(label), str(value)) for label, value in data.get("figures") or ()),
            rows=tuple(DiffRow.from_mapping(row) for row in data.get("rows") or ()),
            total_rows=int(data.get("total_rows") or 0),
            diff_file=data.get("diff_file"),
        )


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
