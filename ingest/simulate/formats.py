"""Cheap formatting of money and times for payloads (table look-ups, no datetime per call).

Instants are integer epoch milliseconds (UTC) throughout the simulator; money is integer fen.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.china_time import CHINA_OFFSET

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
CHINA_OFFSET_MS = CHINA_OFFSET // timedelta(milliseconds=1)  # UTC+8, as epoch-ms arithmetic

_from_timestamp = datetime.fromtimestamp
_EPOCH_DATE = date(1970, 1, 1)
_CENTS = tuple(f".{c:02d}" for c in range(100))
_HOUR_MINUTE = tuple(f" {h:02d}:{m:02d}:" for h in range(24) for m in range(60))
_SECONDS = tuple(f"{s:02d}" for s in range(60))
_MILLIS = tuple(f".{m:03d}" for m in range(1000))
_DAYS: dict[int, str] = {}
_MINUTES: dict[int, str] = {}  # China-time minute number -> "yyyy-MM-dd HH:mm:"
_CACHE_LIMIT = 50_000  # entries each; a cache is cleared when full: memory stays bounded


def yuan(fen: int) -> str:
    """Integer fen as a yuan decimal string with two decimals: 20007 -> '200.07'."""
    return str(fen // 100) + _CENTS[fen % 100]


def yuan_number(fen: int) -> str:
    """Integer fen as the shortest JSON number in yuan: 16800 -> '168', 450 -> '4.5'."""
    if fen % 100 == 0:
        return str(fen // 100)
    if fen % 10 == 0:
        return f"{fen // 100}.{fen % 100 // 10}"
    return yuan(fen)


def day_text(day: int) -> str:
    """Days since 1970-01-01 as 'yyyy-mm-dd' (cached)."""
    text = _DAYS.get(day)
    if text is None:
        if len(_DAYS) >= _CACHE_LIMIT:
            _DAYS.clear()
        text = _DAYS[day] = (_EPOCH_DATE + timedelta(days=day)).isoformat()
    return text


def _minute_text(minute: int) -> str:
    if len(_MINUTES) >= _CACHE_LIMIT:
        _MINUTES.clear()
    day, minute_of_day = divmod(minute, 1440)
    text = _MINUTES[minute] = day_text(day) + _HOUR_MINUTE[minute_of_day]
    return text


def china_seconds(ms: int) -> str:
    """China-time 'yyyy-MM-dd HH:mm:ss' of an instant."""
    local = ms + CHINA_OFFSET_MS
    minute = local // MINUTE_MS
    try:
        return _MINUTES[minute] + _SECONDS[local // 1000 % 60]
    except KeyError:
        return _minute_text(minute) + _SECONDS[local // 1000 % 60]


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
    """Epoch milliseconds as a tz-aware UTC datetime (exact for ms within years 1970-9999:
    the float error of ms / 1000 stays far below the half microsecond it is rounded to)."""
    return _from_timestamp(ms / 1000, UTC)


def mask_phone(phone: str) -> str:
    """'13800001234' -> '138****1234'."""
    return phone[:3] + "****" + phone[-4:]
