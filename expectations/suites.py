"""The expectation suites, as lists of GE 1.x expectations keyed by ``meta["key"]``.

Each list starts with a row-count expectation (key :data:`ROWS`): its observed value is the
runner's proof that the batch was not empty. Keys let the runner find every result again
(GE does not keep the suite's order).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.sources import unified_key_pattern
from expectations.context import import_gx

ROWS = "rows"

#: Standard order states (docs/domain.md §1: 12+ native statuses mapped to 5 standard states).
STANDARD_STATES = ("created", "paid", "picking", "shipped", "completed")
#: Unified key: platform + yyyymmdd + serial, e.g. JD2026012800123.
UNIFIED_KEY_REGEX = unified_key_pattern()


def platform_key_regex(platform: str) -> str:
    """The unified-key pattern narrowed to one platform's prefix (a TB order has a TB key)."""
    return unified_key_pattern(platform)


#: Quarantine reasons that mean a native status the status map does not know.
UNMAPPED_STATUS_KINDS = ("unknown native status", "unknown native refund status")
#: Column of the quarantine count query the quarantine suite looks at.
UNMAPPED_COUNT_COLUMN = "unmapped_count"

DRIFT_COLUMNS = ("count_drift", "amount_drift")


def _gxe() -> Any:
    import_gx()
    import great_expectations.expectations as gxe

    return gxe


def key_of(expectation_config: Any) -> str | None:
    """The key of an expectation (or of a result's expectation config)."""
    meta = getattr(expectation_config, "meta", None) or {}
    key = meta.get("key")
    return str(key) if key is not None else None


def drift_key(column: str) -> str:
    return f"drift:{column}"


def not_null_key(column: str) -> str:
    return f"present:{column}"


KEY_FORMAT = "key_format"
STATE_SET = "state_set"
UNMAPPED = "unmapped_statuses"


def _row_count(gxe: Any) -> Any:
    return gxe.ExpectTableRowCountToBeBetween(min_value=1, meta={"key": ROWS})


def drift_expectations(threshold: float) -> list[Any]:
    """Every window's count and amount drift is known and within ``[0, threshold]``."""
    gxe = _gxe()
    expectations = [_row_count(gxe)]
    for column in DRIFT_COLUMNS:
        expectations.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=column,
                min_value=0,
                max_value=threshold,
                meta={"key": drift_key(column)},
            )
        )
        # Between ignores NULLs; a NULL drift would hide a window that cannot be compared.
        expectations.append(
            gxe.ExpectColumnValuesToNotBeNull(column=column, meta={"key": not_null_key(column)})
        )
    return expectations


def presence_expectations(
    required_share: float, required_fields: Iterable[str], key_regex: str = UNIFIED_KEY_REGEX
) -> list[Any]:
    """Required fields present in ``required_share`` of rows; keys and states all valid."""
    gxe = _gxe()
    expectations = [_row_count(gxe)]
    for column in required_fields:
        expectations.append(
            gxe.ExpectColumnValuesToNotBeNull(
                column=column, mostly=required_share, meta={"key": not_null_key(column)}
            )
        )
    expectations.append(
        gxe.ExpectColumnValuesToMatchRegex(
            column="unified_key", regex=key_regex, meta={"key": KEY_FORMAT}
        )
    )
    expectations.append(
        gxe.ExpectColumnValuesToBeInSet(
            column="state", value_set=list(STANDARD_STATES), meta={"key": STATE_SET}
        )
    )
    return expectations


def quarantine_expectations() -> list[Any]:
    """The count of payloads quarantined for an unmapped native status is zero."""
    gxe = _gxe()
    return [
        _row_count(gxe),
        gxe.ExpectColumnValuesToBeBetween(
            column=UNMAPPED_COUNT_COLUMN, min_value=0, max_value=0, meta={"key": UNMAPPED}
        ),
    ]
