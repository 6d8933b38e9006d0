"""How each courier channel proves a push is its own; every comparison in constant time.

Kuaidi100 signs `param` with `upper(md5hex(param + salt))`; AfterShip-style webhooks carry
`aftership-hmac-sha256` = base64(HMAC-SHA256(raw body, secret)); SF route pushes carry no
signature, so a secret token in the callback path stands in; ZTO's digest rule is configured
(docs/domain.md §3: its exact input is unverified).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

ZTO_DIGEST_RULES = ("base64(md5(data+key))", "base64(md5(body+key))", "upper(md5hex(data+key))")


def same(given: str | bytes | None, expected: str | bytes) -> bool:
    """Whether `given` equals `expected`, in time independent of where they differ."""
    if given is None:
        return False
    left = given.encode("utf-8") if isinstance(given, str) else given
    right = expected.encode("utf-8") if isinstance(expected, str) else expected
    return hmac.compare_digest(left, right)


def kuaidi100_sign(param: str, salt: str) -> str:
    return hashlib.md5((param + salt).encode("utf-8"), usedforsecurity=False).hexdigest().upper()


def aftership_signature(body: bytes, secret: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def zto_digest(rule: str, *, data: str, body: bytes, key: str) -> str:
    """The digest ZTO sends under `rule` (one of ZTO_DIGEST_RULES)."""
    if rule == "base64(md5(data+key))":
        return base64.b64encode(
            hashlib.md5((data + key).encode("utf-8"), usedforsecurity=False).digest()
        ).decode("ascii")
    if rule == "base64(md5(body+key))":
        return base64.b64encode(
            hashlib.md5(body + key.encode("utf-8"), usedforsecurity=False).digest()
        ).decode("ascii")
    if rule == "upper(md5hex(data+key))":
        return hashlib.md5((data + key).encode("utf-8"), usedforsecurity=False).hexdigest().upper()
    raise ValueError(f"unknown ZTO digest rule {rule!r}; known: {', '.join(ZTO_DIGEST_RULES)}")
