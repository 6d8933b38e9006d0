"""Request signatures shared by several platforms, and the times they are written in."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime

from domain.china_time import CHINA_TZ


def md5_wrapped_sign(params: Mapping[str, str], secret: str) -> str:
    """upper(md5(secret + k1v1k2v2… + secret)) over the parameters sorted by name, `sign`
    excluded: Taobao TOP (sign_method=md5), JD JOS and Pinduoduo sign this way."""
    text = "".join(f"{key}{params[key]}" for key in sorted(params) if key != "sign")
    return hashlib.md5(f"{secret}{text}{secret}".encode()).hexdigest().upper()  # noqa: S324


def signature_matches(expected: str, given: str) -> bool:
    """Constant-time comparison of two signatures (case-insensitive hex)."""
    return hmac.compare_digest(expected.upper().encode(), given.upper().encode())


def china_text(moment: datetime) -> str:
    """'yyyy-MM-dd HH:mm:ss' in China time, how TOP, JD and U8 write times."""
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


def from_china_text(text: str) -> datetime:
    """The UTC instant of a China-time 'yyyy-MM-dd HH:mm:ss'."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA_TZ).astimezone(UTC)


def epoch_text(now: float) -> datetime:
    return datetime.fromtimestamp(now, UTC)
