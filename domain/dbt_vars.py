"""The dbt vars built from the registry: every dbt invocation passes them with `--vars`.

`python -m domain.dbt_vars` prints them as JSON (the Makefile's `dbt parse` uses it).
"""

from __future__ import annotations

import json
from datetime import timedelta

from domain.china_time import CHINA_OFFSET, CHINA_TZ_NAME
from domain.rules import DRIFT_THRESHOLD, ERP_BOOKING_LAG, ESCALATE_AFTER, LEDGER_BOOKING_LAG
from domain.sources import (
    PLATFORMS,
    REFUND_SOURCES,
    SOURCES,
    U8_ORDER_REF_FIELD,
    U8_PLATFORM_FIELD,
)


def interval_text(span: timedelta) -> str:
    """A Postgres interval literal: '6 hours', '10 minutes', '90 seconds'."""
    seconds = int(span.total_seconds())
    if seconds <= 0 or seconds != span.total_seconds():
        raise ValueError(f"an interval must be a positive whole number of seconds, got {span}")
    for unit, size in (("hours", 3600), ("minutes", 60)):
        if seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} seconds"


def dbt_vars() -> dict[str, object]:
    """The vars the dbt project reads with `var()`."""
    return {
        "drift_threshold": DRIFT_THRESHOLD,
        "erp_booking_lag": interval_text(ERP_BOOKING_LAG),
        "ledger_booking_lag": interval_text(LEDGER_BOOKING_LAG),
        "escalate_after": interval_text(ESCALATE_AFTER),
        "china_time_zone": CHINA_TZ_NAME,
        "china_utc_offset": interval_text(CHINA_OFFSET),
        "platform_order_models": [platform.staging_model for platform in PLATFORMS],
        "platform_version_models": [platform.versions_model for platform in PLATFORMS],
        "refund_models": [source.staging_model for source in REFUND_SOURCES],
        "refund_version_models": [source.versions_model for source in REFUND_SOURCES],
        "quarantine_sources": [[source.name, source.versions_model] for source in SOURCES],
        "u8_platform_field": U8_PLATFORM_FIELD,
        "u8_order_ref_field": U8_ORDER_REF_FIELD,
    }


def dbt_vars_json(overrides: dict[str, object] | None = None) -> str:
    """`dbt_vars()`, updated with ``overrides``, as the JSON text `--vars` takes."""
    return json.dumps({**dbt_vars(), **(overrides or {})}, separators=(",", ":"))


def dbt_vars_args(overrides: dict[str, object] | None = None) -> list[str]:
    """`["--vars", …]`, to append to any dbt command line (dbt keeps only the last --vars)."""
    return ["--vars", dbt_vars_json(overrides)]


if __name__ == "__main__":
    print(dbt_vars_json())
