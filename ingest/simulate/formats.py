"""Cheap formatting of money and times for payloads (table look-ups, no datetime per call).

Instants are integer epoch milliseconds (UTC) throughout the simulator; money is integer fen.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
CHINA_OFFSET_MS = 8 * HOUR_MS

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DATE = date(1970, 1, 1)
_CENTS = tuple(f".{c:02d}" for c in range(100))
_HOUR_MINUTE = tuple(f" {h:02d}:{m:02d}:" for h in range(24) for m in range(60))
_SECONDS = tuple(f"{s:02d}" for s in range(60))
_MILLIS = tuple(f".{m:03d}" for m in range(1000))
_DAYS: dict[int, str] = {}
_DAYS_LIMIT = 200_000


def yuan(fen: int) -> str:
    """Integer fen as a yuan decimal string with two decimals: 20007 -> '200.07'."""
    return str(fen // 100) + _CENTS[fen % 100]


def day_text(day: int) -> str:
    """Days since 1970-01-01 as 'yyyy-mm-dd' (cached)."""
    text = _DAYS.get(day)
    if text is None:
        if len(_DAYS) >= _DAYS_LIMIT:
            _DAYS.clear()
        text = _DAYS[day] = (_EPOCH_DATE + timedelta(days=day)).isoformat()
    return text


def china_seconds(ms: int) -> str:
    """China-time 'yyyy-MM-dd HH:mm:ss' of an instant."""
    day, second = divmod((ms + CHINA_OFFSET_MS) // 1000, 86_400)
    return day_text(day) + _HOUR_MINUTE[second // 60] + _SECONDS[second % 60]


def china_millis(ms: int) -> str:
    """China-time 'yyyy-MM-dd HH:mm:ss.SSS' of an instant."""
    return china_seconds(ms) + _MILLIS[ms % 1000]


def utc_naive_seconds(ms: int) -> str:
    """UTC wall clock 'yyyy-MM-dd HH:mm:ss' without offset (the time-zone-drift fault)."""
    return china_seconds(ms - CHINA_OFFSET_MS)


def china_date(ms: int) -> str:
    """China-time calendar date 'yyyy-mm-dd' of an instant."""
    return day_text((ms + CHINA_OFFSET_MS) // DAY_MS)


def china_midnight_ms(day: date) -> int:
    """The instant (epoch ms) at which a China-time calendar day starts."""
    return (day - _EPOCH_DATE).days * DAY_MS - CHINA_OFFSET_MS


def utc_datetime(ms: int) -> datetime:
    """Epoch milliseconds as a tz-aware UTC datetime (exact)."""
    return _EPOCH + timedelta(milliseconds=ms)


def mask_phone(phone: str) -> str:
    """'13800001234' -> '138****1234'."""
    return phone[:3] + "****" + phone[-4:]
