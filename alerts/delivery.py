"""What a delivery attempt reports, and the shape every alert sender has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from alerts.message import Alert


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of sending one alert through one channel (after any retries).

    `status_code` is the last HTTP status seen, `platform_code` the service's own code
    (Feishu `code`, Slack `error`), when there was one. `error` never holds a secret.
    """

    channel: str
    ok: bool
    attempts: int
    error: str | None = None
    status_code: int | None = None
    platform_code: str | None = None


class AlertSender(Protocol):
    """A channel alerts can be sent through; `send` reports failures instead of raising."""

    channel: str

    def send(self, alert: Alert) -> DeliveryResult:
        """Deliver one alert and report how it went."""
        ...
