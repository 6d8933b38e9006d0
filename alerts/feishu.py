"""Sending alerts to a Feishu/Lark custom bot: signing, size limit, rate limit, retries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx

from alerts.delivery import DeliveryResult
from alerts.feishu_card import fit_card
from alerts.message import Alert
from alerts.rate_limit import Clock, Sleep, SlidingWindowLimiter, shared_limiter
from alerts.redact import describe_error, scrub

log = logging.getLogger(__name__)

CHANNEL = "feishu"
MAX_BODY_BYTES = 20 * 1024
# Per bot: 5 requests per second and 100 per minute.
RATE_LIMITS = ((5, 1.0), (100, 60.0))

CODE_OK = 0
CODE_THROTTLED = 11232
CODE_BAD_SIGNATURE = 19021

BACKOFF_BASE = 0.5
BACKOFF_MAX = 8.0
THROTTLE_BACKOFF_MIN = 1.0


def feishu_sign(timestamp: str, secret: str) -> str:
    """The signature of a signed bot: base64(HMAC-SHA256(key=f"{ts}\\n{secret}", msg=b""))."""
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def encode_body(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent: compact UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class _Outcome:
    """One HTTP attempt, classified."""

    ok: bool
    retry: bool = False  # a transient failure: back off and try again
    resign: bool = False  # bad signature or stale timestamp: sign afresh
    throttled: bool = False
    error: str | None = None
    status_code: int | None = None
    platform_code: str | None = None


class FeishuSender:
    """Posts alerts as interactive cards to one custom-bot webhook.

    Requests to the same webhook URL share one rate limiter within the process (5/s,
    100/min). Throttling (11232), 5xx answers, timeouts and connection errors are retried
    with exponential backoff up to `max_retries` times; a bad signature (19021) is
    re-signed once with a fresh timestamp; other codes fail at once. `send` never raises
    for delivery failures, and neither the webhook URL nor the secret appears in errors.
    """

    channel = CHANNEL

    def __init__(
        self,
        webhook_url: str,
        secret: str | None,
        *,
        timeout: float = 10,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
        max_retries: int = 3,
        rate_limiter: SlidingWindowLimiter | None = None,
    ) -> None:
        self._url = webhook_url
        self._secret = secret or None
        self._timeout = timeout
        self._clock = clock
        self._sleep = sleep
        self._max_retries = max_retries
        self._limiter = rate_limiter or shared_limiter(webhook_url, RATE_LIMITS)

    def __repr__(self) -> str:
        return f"FeishuSender(signed={self._secret is not None})"

    def _envelope(self, card: dict[str, Any], timestamp: str | None) -> dict[str, Any]:
        payload: dict[str, Any] = {"msg_type": "interactive", "card": card}
        if self._secret is not None:
            stamp = timestamp if timestamp is not None else str(int(self._clock()))
            payload["timestamp"] = stamp
            payload["sign"] = feishu_sign(stamp, self._secret)
        return payload

    def payload(self, alert: Alert) -> dict[str, Any]:
        """The body that would be posted now (signed if a secret is set), ≤ 20 KB."""
        return self._envelope(self._card(alert), None)

    def _card(self, alert: Alert) -> dict[str, Any]:
        # Measure with a signature of the real length: a timestamp has 10 digits until 2286.
        def size_of(card: dict[str, Any]) -> int:
            return len(encode_body(self._envelope(card, "0" * 10)))

        card, _shown = fit_card(alert, size_of, MAX_BODY_BYTES)
        return card

    def send(self, alert: Alert) -> DeliveryResult:
        """Post the alert; retry transient failures; report the outcome."""
        card = self._card(alert)
        attempts = retries = 0
        resigned = False
        with httpx.Client(timeout=self._timeout) as client:
            while True:
                self._limiter.acquire(self._clock, self._sleep)
                body = encode_body(self._envelope(card, None))  # a fresh timestamp each time
                attempts += 1
                outcome = self._post(client, body)
                if outcome.ok:
                    log.info("feishu: alert %s delivered (%d attempts)", alert.dedup_key, attempts)
                    return self._result(outcome, attempts)
                if outcome.resign and not resigned:
                    resigned = True
                    continue
                if outcome.retry and retries < self._max_retries:
                    delay = min(BACKOFF_BASE * 2**retries, BACKOFF_MAX)
                    if outcome.throttled:
                        delay = max(delay, THROTTLE_BACKOFF_MIN)
                    retries += 1
                    log.info("feishu: %s; retrying in %.1f s", outcome.error, delay)
                    self._sleep(delay)
                    continue
                log.warning(
                    "feishu: alert %s not delivered after %d attempts: %s",
                    alert.dedup_key,
                    attempts,
                    outcome.error,
                )
                return self._result(outcome, attempts)

    def _result(self, outcome: _Outcome, attempts: int) -> DeliveryResult:
        return DeliveryResult(
            channel=self.channel,
            ok=outcome.ok,
            attempts=attempts,
            error=outcome.error,
            status_code=outcome.status_code,
            platform_code=outcome.platform_code,
        )

    def _post(self, client: httpx.Client, body: bytes) -> _Outcome:
        try:
            response = client.post(
                self._url,
                content=body,
                headers={"Content-Type": "application/json; charset=utf-8"},
            )
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:  # misconfigured URL
            return _Outcome(ok=False, error=self._describe(exc))
        except httpx.TransportError as exc:  # timeouts, refused or dropped connections
            return _Outcome(ok=False, retry=True, error=self._describe(exc))
        except httpx.HTTPError as exc:  # anything else httpx reports: not worth retrying
            return _Outcome(ok=False, error=self._describe(exc))
        return self._classify(response)

    def _describe(self, exc: BaseException) -> str:
        return describe_error(exc, self._url, self._secret)

    def _classify(self, response: httpx.Response) -> _Outcome:
        status = response.status_code
        try:
            data = response.json()
        except ValueError:
            data = None
        code = None
        message = ""
        if isinstance(data, dict):
            code = data.get("code", data.get("StatusCode"))
            message = str(data.get("msg") or data.get("StatusMessage") or "")
        message = scrub(message, self._url, self._secret)[:200]
        platform_code = str(code) if code is not None else None
        common = {"status_code": status, "platform_code": platform_code}

        if status == 200 and code == CODE_OK:
            return _Outcome(ok=True, **common)
        if status >= 500:
            return _Outcome(ok=False, retry=True, error=f"HTTP {status} from Feishu", **common)
        if code == CODE_THROTTLED:
            error = f"Feishu code {code} (throttled): {message}"
            return _Outcome(ok=False, retry=True, throttled=True, error=error, **common)
        if code == CODE_BAD_SIGNATURE:
            error = f"Feishu code {code} (bad signature or stale timestamp): {message}"
            return _Outcome(ok=False, resign=True, error=error, **common)
        if code is not None:
            return _Outcome(ok=False, error=f"Feishu code {code}: {message}", **common)
        return _Outcome(ok=False, error=f"HTTP {status} without a Feishu code", **common)
