"""Sending alerts to a Slack channel through the Web API (blocks, then the diff file)."""

from __future__ import annotations

import logging
import random
import threading
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.jitter import Jitter

from alerts.delivery import DeliveryResult
from alerts.message import Alert
from alerts.redact import describe_error, scrub
from alerts.slack_blocks import build_blocks, fallback_text
from alerts.text import headline, truncate

log = logging.getLogger(__name__)

CHANNEL = "slack"
DEFAULT_BASE_URL = "https://slack.com/api/"


class _RetryCount:
    """How many retries the client's handlers asked for during one `send`."""

    def __init__(self) -> None:
        self.retries = 0


class _CountsRetries(RetryHandler):
    """Mixin: count each retry a built-in handler decides on."""

    count: _RetryCount

    def prepare_for_next_attempt(self, **kwargs: Any) -> None:
        self.count.retries += 1
        super().prepare_for_next_attempt(**kwargs)


class _ConnectionErrorRetries(_CountsRetries, ConnectionErrorRetryHandler):
    pass


class _RateLimitRetries(_CountsRetries, RateLimitErrorRetryHandler):
    pass


class _ServerErrorRetries(_CountsRetries, ServerErrorRetryHandler):
    pass


class _ProportionalJitter(Jitter):
    """Up to +50 % of the interval (the SDK's default adds up to a whole second)."""

    def recalculate(self, duration: float) -> float:
        return duration * (1 + random.random() / 2)


class SlackSender:
    """Posts alerts to one Slack channel with `chat.postMessage`, then uploads the diff CSV.

    Besides the SDK's connection-error retry, 429 answers are retried honouring
    `Retry-After` and 500/503 answers with exponential backoff. `send` never raises for
    delivery failures and never puts the token in an error. One `send` at a time per sender.
    """

    channel = CHANNEL

    def __init__(
        self,
        token: str,
        channel: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: int = 10,
        max_rows: int = 30,
        rate_limit_retries: int = 3,
        server_error_retries: int = 2,
        server_error_backoff: float = 0.5,
    ) -> None:
        self.slack_channel = channel
        self._token = token
        self._max_rows = max_rows
        self._count = _RetryCount()
        self._lock = threading.Lock()
        self._client = WebClient(token=token, base_url=base_url, timeout=timeout)
        backoff = BackoffRetryIntervalCalculator(
            backoff_factor=server_error_backoff, jitter=_ProportionalJitter()
        )
        handlers: list[_CountsRetries] = [
            _ConnectionErrorRetries(max_retry_count=1),
            _RateLimitRetries(max_retry_count=rate_limit_retries),
            _ServerErrorRetries(max_retry_count=server_error_retries, interval_calculator=backoff),
        ]
        for handler in handlers:
            handler.count = self._count
        self._client.retry_handlers = list(handlers)

    def __repr__(self) -> str:
        return f"SlackSender(channel={self.slack_channel!r})"

    def message(self, alert: Alert) -> dict[str, Any]:
        """The `chat.postMessage` arguments for an alert."""
        return {
            "channel": self.slack_channel,
            "text": fallback_text(alert),
            "blocks": build_blocks(alert, max_rows=self._max_rows),
            "unfurl_links": False,
        }

    def send(self, alert: Alert) -> DeliveryResult:
        """Post the alert, upload its diff file if any, and report the outcome."""
        with self._lock:
            self._count.retries = 0
            try:
                response = self._client.chat_postMessage(**self.message(alert))
            except Exception as exc:  # reported, never raised
                return self._failure(alert, exc, prefix="")
            if alert.diff_file is not None:
                try:
                    self._client.files_upload_v2(
                        channel=self.slack_channel,
                        file=str(alert.diff_file),
                        filename=alert.diff_file.name,
                        title=alert.diff_file.name,
                        initial_comment=truncate(f"Full diff for {headline(alert)}", 1000),
                    )
                except Exception as exc:  # reported, never raised
                    return self._failure(alert, exc, prefix="message posted; diff upload failed: ")
            attempts = 1 + self._count.retries
            log.info("slack: alert %s delivered (%d attempts)", alert.dedup_key, attempts)
            return DeliveryResult(
                channel=self.channel, ok=True, attempts=attempts, status_code=response.status_code
            )

    def _failure(self, alert: Alert, exc: Exception, *, prefix: str) -> DeliveryResult:
        if not isinstance(exc, SlackApiError | SlackClientError | OSError | ValueError):
            log.error("slack: unexpected %s while sending", type(exc).__name__)
        status_code = platform_code = None
        if isinstance(exc, SlackApiError):
            status_code = exc.response.status_code
            platform_code = str(exc.response.get("error") or "") or None
            error = f"Slack error {platform_code} (HTTP {status_code})"
        else:
            error = describe_error(exc, self._token)
        error = scrub(prefix + error, self._token)
        attempts = 1 + self._count.retries
        log.warning(
            "slack: alert %s not delivered after %d attempts: %s", alert.dedup_key, attempts, error
        )
        return DeliveryResult(
            channel=self.channel,
            ok=False,
            attempts=attempts,
            error=error,
            status_code=status_code,
            platform_code=platform_code,
        )
