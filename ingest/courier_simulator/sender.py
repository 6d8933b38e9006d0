"""Send pushes to the receiver over real HTTP, retrying as each courier does.

Kuaidi100 retries a push that was not acknowledged 3 times, 30 minutes apart, then drops it;
SF retries (its interval is not documented: 1 minute here); AfterShip retries 14 times,
doubling from 30 seconds. `sleep` is injectable so a simulation can compress the waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from ingest.courier_simulator.pushes import Push

REQUEST_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class RetryPolicy:
    retries: int
    first_wait_seconds: float
    factor: float = 1.0

    def waits(self) -> list[float]:
        return [self.first_wait_seconds * self.factor**attempt for attempt in range(self.retries)]


RETRY_POLICIES = {
    "kuaidi100": RetryPolicy(retries=3, first_wait_seconds=30 * 60),
    "sf": RetryPolicy(retries=3, first_wait_seconds=60),
    "zto": RetryPolicy(retries=3, first_wait_seconds=60),
    "aftership": RetryPolicy(retries=14, first_wait_seconds=30, factor=2),
}


@dataclass
class Delivery:
    """What happened to one push: every status answered, and whether it was acknowledged."""

    push: Push
    statuses: list[int] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        return bool(self.statuses) and self.statuses[-1] == 200

    @property
    def dropped(self) -> bool:
        """Given up by the courier after its last retry (lost, unless it was stored anyway)."""
        return not self.acknowledged


def deliver(
    client: httpx.Client,
    base_url: str,
    push: Push,
    *,
    sleep: Callable[[float], None] = time.sleep,
    wait_scale: float = 1.0,
) -> Delivery:
    """Post `push`; on anything but 2xx retry per its courier's policy (waits × `wait_scale`)."""
    delivery = Delivery(push)
    waits = RETRY_POLICIES[push.channel].waits()
    for attempt in range(len(waits) + 1):
        try:
            response = client.post(
                base_url + push.path,
                content=push.body,
                headers=push.headers,
                timeout=REQUEST_TIMEOUT_SECONDS,
            )
            delivery.statuses.append(response.status_code)
            if 200 <= response.status_code < 300:
                delivery.statuses[-1] = 200
                return delivery
        except httpx.TransportError:
            delivery.statuses.append(0)
        if attempt < len(waits):
            sleep(waits[attempt] * wait_scale)
    return delivery
