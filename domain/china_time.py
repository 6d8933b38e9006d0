"""China time: the zone every platform, the ERP and the ledger write naive times in."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

#: IANA name, as Postgres, Dagster schedules and partitions want it.
CHINA_TZ_NAME = "Asia/Shanghai"
#: UTC+8 all year: China has had no daylight-saving time since 1991.
CHINA_OFFSET = timedelta(hours=8)
CHINA_TZ = timezone(CHINA_OFFSET, CHINA_TZ_NAME)


def china_date(moment: datetime) -> date:
    """The China-time calendar date of an aware timestamp."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("moment must be timezone-aware")
    return moment.astimezone(CHINA_TZ).date()
