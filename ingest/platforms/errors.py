"""What a platform call can go wrong with: refused credentials (stop at once) or a passing fault."""

from __future__ import annotations


class PlatformAuthError(RuntimeError):
    """The platform refused the shop's credentials or signature: never retried.

    The message names the platform, the shop and the platform's reason; it never holds a secret.
    """

    def __init__(self, platform: str, shop: str, reason: str) -> None:
        self.platform = platform
        self.shop = shop
        self.reason = reason
        super().__init__(
            f"{platform} shop {shop!r} refused: {reason}. Check the shop's credentials "
            "(docs/connectors.md); nothing of this window was landed and its watermark did "
            "not move."
        )


class PlatformError(RuntimeError):
    """An error response that retrying cannot fix (bad parameter, unknown method, …)."""

    def __init__(self, platform: str, shop: str, reason: str) -> None:
        self.platform = platform
        self.shop = shop
        self.reason = reason
        super().__init__(f"{platform} shop {shop!r}: {reason}")


class TransientError(Exception):
    """A fault worth retrying: timeout, 5xx, throttling, a truncated body."""

    def __init__(self, reason: str, *, throttled: bool = False, wait: float = 0.0) -> None:
        self.reason = reason
        self.throttled = throttled
        self.wait = wait  # seconds the platform asked to wait, at least
        super().__init__(reason)


class RetriesExhausted(RuntimeError):
    """Every attempt of one call met a transient fault."""
