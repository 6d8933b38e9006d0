"""The unified-key format ``<PLATFORM><yyyymmdd><serial>``, its serial ranges and OrderRef.

PLATFORM is a platform code from :mod:`domain.sources` (TB, JD, PDD or WX), the date is the
order's creation date in China time (UTC+8) and the serial is zero-padded to at least five
digits, e.g. ``JD2026012800123``.

Lock serials are ``1 … LOCK_SERIAL_LIMIT - 1`` and snowflake serials ``>= SNOWFLAKE_SERIAL_MIN``.
The two serial ranges are disjoint, so a lock key and a snowflake key can never be equal; and
because serials have no extra leading zeros, a key string maps back to exactly one
(platform, date, serial). Both ranges are also enforced by check constraints in the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.china_time import china_date
from domain.sources import KEY_DIGITS_MIN, platform_coded, unified_key_pattern

KEY_PATTERN = unified_key_pattern()

_DATE_DIGITS = len("yyyymmdd")
#: The serial's minimum width: the key's digits after the prefix, less the date's.
SERIAL_MIN_DIGITS = KEY_DIGITS_MIN - _DATE_DIGITS
LOCK_SERIAL_LIMIT = 10**12
SNOWFLAKE_SERIAL_MIN = 10**15

# The key, built in SQL exactly as format_key() builds it in Python (lpad alone would truncate).
# A template for str.format() with the fields p (platform), d (date) and s (serial).
_SQL_KEY_EXPR = (
    "{p} || to_char({d}::timestamp, 'YYYYMMDD') || "
    f"case when {{s}} < {10**SERIAL_MIN_DIGITS} "
    f"then lpad({{s}}::text, {SERIAL_MIN_DIGITS}, '0') else {{s}}::text end"
)


@dataclass(frozen=True)
class OrderRef:
    """One platform order that needs a unified key.

    ``created_date`` is the order's creation date in China time (see :func:`china_date`).
    """

    platform: str
    native_id: str
    created_date: date

    def __post_init__(self) -> None:
        _check_platform(self.platform)
        if not isinstance(self.native_id, str) or not self.native_id:
            raise ValueError("native_id must be a non-empty string")
        _check_date(self.created_date)

    @classmethod
    def from_created_at(cls, platform: str, native_id: str, created_at: datetime) -> OrderRef:
        """A ref whose date is the China-time date of an aware creation timestamp."""
        return cls(platform, native_id, china_date(created_at))


def _check_platform(platform: str) -> None:
    platform_coded(platform)  # raises for an unknown platform


def _check_date(created_date: date) -> None:
    # datetime is a subclass of date; its .date() would depend on its own timezone, so refuse it.
    if isinstance(created_date, datetime) or not isinstance(created_date, date):
        raise TypeError("created_date must be a datetime.date (China time), not a datetime")


def format_key(platform: str, created_date: date, serial: int) -> str:
    """``<PLATFORM><yyyymmdd><serial>``, serial zero-padded to at least five digits.

    The serial must be a lock serial (``1 <= serial < LOCK_SERIAL_LIMIT``) or a snowflake
    serial (``SNOWFLAKE_SERIAL_MIN <= serial < 2**63``); the gap between them is refused.
    """
    _check_platform(platform)
    _check_date(created_date)
    if not (1 <= serial < LOCK_SERIAL_LIMIT or SNOWFLAKE_SERIAL_MIN <= serial < 1 << 63):
        raise ValueError(f"serial {serial} is in neither the lock nor the snowflake range")
    return f"{platform}{created_date:%Y%m%d}{serial:0{SERIAL_MIN_DIGITS}d}"
