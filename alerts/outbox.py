"""The local outbox: a JSON-lines file of alerts that were not (or could not be) sent."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alerts.delivery import DeliveryResult
from alerts.message import Alert

CHANNEL = "outbox"
STATUS_RECORDED = "recorded"  # no channel configured: the outbox is where the alert lives
STATUS_DELIVERY_FAILED = "delivery_failed"  # a channel gave up after its retries

_write_lock = threading.Lock()


def _append(path: Path, record: dict[str, Any]) -> None:
    line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with _write_lock, path.open("a", encoding="utf-8") as handle:
        handle.write(line)


def _record(alert: Alert, channel: str, status: str) -> dict[str, Any]:
    return {
        **alert.as_dict(),
        "channel": channel,
        "status": status,
        "recorded_at": datetime.now(UTC).isoformat(),
    }


def record_failure(path: Path, alert: Alert, result: DeliveryResult) -> None:
    """Append an alert whose delivery failed, with the channel, attempts and error."""
    record = _record(alert, result.channel, STATUS_DELIVERY_FAILED)
    record.update(
        error=result.error,
        attempts=result.attempts,
        status_code=result.status_code,
        platform_code=result.platform_code,
    )
    _append(path, record)


def read_outbox(path: Path) -> list[dict[str, Any]]:
    """Every record in the outbox, oldest first (empty when there is no outbox yet)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class OutboxSender:
    """Appends each alert as one JSON line (`"channel": "outbox"`) to a local file."""

    channel = CHANNEL

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"OutboxSender({str(self.path)!r})"

    def send(self, alert: Alert) -> DeliveryResult:
        """Record the alert in the outbox file."""
        _append(self.path, _record(alert, CHANNEL, STATUS_RECORDED))
        return DeliveryResult(channel=CHANNEL, ok=True, attempts=1)
