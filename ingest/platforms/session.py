"""One shop's HTTP session: explicit timeouts, retries of passing faults, auth errors at once."""

from __future__ import annotations

import functools
import logging
import ssl
from dataclasses import dataclass
from typing import Any

import httpx

from ingest import exact_json
from ingest.platforms.api import Call, Platform
from ingest.platforms.errors import (
    PlatformAuthError,
    PlatformError,
    RetriesExhausted,
    TransientError,
)
from ingest.platforms.retry import Backoff, Pacing
from ingest.platforms.shops import Shop

log = logging.getLogger(__name__)
# httpx logs every request's URL at INFO, and WeChat's and U8's tokens travel in the query
logging.getLogger("httpx").setLevel(logging.WARNING)

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every session (building one reads the CA bundle: ~0.2 s)."""
    return httpx.create_ssl_context()


@dataclass
class CallCounts:
    """Requests sent and retried by one session."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0


class ShopSession:
    """Sends one shop's calls. Timeouts, 5xx, throttling and unreadable bodies are retried with
    backoff; the platform refusing the credentials raises PlatformAuthError on the first try."""

    def __init__(
        self,
        platform: Platform,
        shop: Shop,
        *,
        pacing: Pacing,
        backoff: Backoff | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self.platform = platform
        self.shop = shop
        self.pacing = pacing
        self.backoff = backoff or Backoff()
        self.counts = CallCounts()
        self.token: str | None = None  # an access token obtained by Platform.authorize
        self._client = httpx.Client(timeout=timeout, verify=_tls())

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ShopSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def send(self, build: Call | Any) -> dict[str, Any]:
        """The response body of a call, after retries. `build` is a Call, or a function of no
        arguments returning one (re-signed on every attempt: timestamps move)."""
        attempt = 0
        while True:
            call = build() if callable(build) else build
            try:
                return self._once(call)
            except TransientError as fault:
                if fault.throttled:
                    self.counts.throttled += 1
                if attempt + 1 >= self.backoff.attempts:
                    raise RetriesExhausted(
                        f"{self.platform.name} shop {self.shop.shop_id!r}: gave up after "
                        f"{attempt + 1} attempts; last: {fault.reason}"
                    ) from fault
                delay = self.backoff.delay(
                    attempt, self.pacing.rng, throttled=fault.throttled, wait=fault.wait
                )
                log.info(
                    "%s shop %s: %s; retrying in %.2fs",
                    self.platform.name,
                    self.shop.shop_id,
                    fault.reason,
                    delay,
                )
                self.counts.retries += 1
                attempt += 1
                self.pacing.sleep(delay)

    def _once(self, call: Call) -> dict[str, Any]:
        self.counts.requests += 1
        try:
            response = self._client.request(
                call.method, call.url, params=call.params, data=call.form, json=call.json
            )
        except httpx.TimeoutException as error:
            raise TransientError(f"timed out ({type(error).__name__})") from error
        except httpx.TransportError as error:
            raise TransientError(f"transport error ({type(error).__name__})") from error
        if response.status_code == 429:
            raise TransientError("HTTP 429", throttled=True, wait=_retry_after(response))
        if response.status_code >= 500:
            raise TransientError(f"HTTP {response.status_code}")
        try:
            body = exact_json.loads(response.text)
        except ValueError as error:
            if response.status_code >= 400:
                raise PlatformError(
                    self.platform.name, self.shop.shop_id, f"HTTP {response.status_code}"
                ) from error
            raise TransientError("response body is not whole JSON (truncated?)") from error
        if not isinstance(body, dict):
            raise TransientError("response body is not a JSON object")
        problem = self.platform.problem(body)
        if problem is None:
            if response.status_code >= 400:
                raise PlatformError(
                    self.platform.name, self.shop.shop_id, f"HTTP {response.status_code}"
                )
            return body
        if problem.kind == "auth":
            raise PlatformAuthError(self.platform.label, self.shop.shop_id, problem.reason)
        if problem.kind == "fatal":
            raise PlatformError(self.platform.label, self.shop.shop_id, problem.reason)
        raise TransientError(
            problem.reason, throttled=problem.kind == "throttle", wait=problem.wait
        )


def _retry_after(response: httpx.Response) -> float:
    try:
        return float(response.headers.get("Retry-After", "0"))
    except ValueError:
        return 0.0
