"""Keeping secrets (webhook URLs, signing secrets, tokens) out of errors and logs."""

from __future__ import annotations

REDACTED = "***"


def scrub(text: str, *secrets: str | None) -> str:
    """`text` with every non-empty secret replaced by a placeholder."""
    # Longest first, so a secret that contains another is removed whole.
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def describe_error(exc: BaseException, *secrets: str | None, limit: int = 300) -> str:
    """A short, secret-free description of an exception for results and logs."""
    message = scrub(str(exc), *secrets).strip()
    described = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return described if len(described) <= limit else described[: limit - 1] + "…"
