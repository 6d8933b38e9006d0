"""The alert model, independent of any channel: one incident and the orders that show it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domain.findings import DiffRow

KINDS = ("firing", "recovered", "escalation")
SEVERITIES = ("critical", "warning", "info")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Alert:
    """One alert about one incident; the same `dedup_key` means the same incident.

    `rows` are the top differing orders, already sorted; `total_rows` counts all of them
    (never less than `len(rows)`). `created_at` is timezone-aware UTC.
    """

    dedup_key: str
    kind: str  # "firing" | "recovered" | "escalation"
    severity: str  # "critical" | "warning" | "info"
    title: str
    summary: str
    figures: tuple[tuple[str, str], ...] = ()
    rows: tuple[DiffRow, ...] = ()
    total_rows: int = 0
    link: str | None = None
    diff_file: Path | None = None
    diff_url: str | None = None  # where readers can download `diff_file`, when published
    created_at: datetime = field(default_factory=_utc_now)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"alert kind must be one of {KINDS}, got {self.kind!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"alert severity must be one of {SEVERITIES}, got {self.severity!r}")
        if self.created_at.tzinfo is None:
            raise ValueError("alert created_at must be timezone-aware")
        # Normalise what callers may reasonably pass (lists, str paths, other time zones).
        object.__setattr__(self, "figures", tuple((str(k), str(v)) for k, v in self.figures))
        object.__setattr__(self, "rows", tuple(self.rows))
        object.__setattr__(self, "total_rows", max(int(self.total_rows), len(self.rows)))
        object.__setattr__(self, "created_at", self.created_at.astimezone(UTC))
        if self.diff_file is not None and not isinstance(self.diff_file, Path):
            object.__setattr__(self, "diff_file", Path(self.diff_file))

    @property
    def more_rows(self) -> int:
        """How many differing orders are not among `rows`."""
        return self.total_rows - len(self.rows)

    def as_dict(self) -> dict[str, Any]:
        """Every field as JSON-ready values (paths and times as strings)."""
        return {
            "dedup_key": self.dedup_key,
            "kind": self.kind,
            "severity": self.severity,
            "title": self.title,
            "summary": self.summary,
            "figures": [[label, value] for label, value in self.figures],
            "rows": [row.as_dict() for row in self.rows],
            "total_rows": self.total_rows,
            "link": self.link,
            "diff_file": str(self.diff_file) if self.diff_file is not None else None,
            "diff_url": self.diff_url,
            "created_at": self.created_at.isoformat(),
        }
