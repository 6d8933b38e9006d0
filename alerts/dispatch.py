"""Sending one alert through every configured channel, with the outbox as the safety net."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from alerts.delivery import AlertSender, DeliveryResult
from alerts.message import Alert
from alerts.outbox import OutboxSender, record_failure

log = logging.getLogger(__name__)


def _send(sender: AlertSender, alert: Alert) -> DeliveryResult:
    try:
        return sender.send(alert)
    except Exception as exc:  # a sender bug must not lose the alert
        # Only the type: an unexpected message could carry a secret.
        log.error("%s sender raised %s", sender.channel, type(exc).__name__)
        return DeliveryResult(
            channel=sender.channel, ok=False, attempts=1, error=f"{type(exc).__name__} in sender"
        )


def dispatch(alert: Alert, senders: Sequence[AlertSender], outbox: Path) -> list[DeliveryResult]:
    """Send `alert` through each sender; every failure is also written to `outbox`.

    With no senders configured the alert goes to the outbox. Never raises for delivery
    failures; the results say what happened per channel.
    """
    if not senders:
        log.info("no alert channel configured: alert %s written to the outbox", alert.dedup_key)
        return [OutboxSender(outbox).send(alert)]
    results = []
    for sender in senders:
        result = _send(sender, alert)
        if not result.ok:
            record_failure(outbox, alert, result)
        results.append(result)
    return results
