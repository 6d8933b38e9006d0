"""A check's outcome travels through Dagster metadata whole and comes back typed."""

from __future__ import annotations

import json

from dagster import MetadataValue

from domain.findings import DiffRow
from expectations.outcome import CheckOutcome
from orchestration.checks import OUTCOME_KEY, outcome_of


def _outcome() -> CheckOutcome:
    return CheckOutcome(
        name="drift_within_threshold",
        passed=False,
        ran=True,
        summary="1 of 288 reconciliation windows drift beyond 0.3 %",
        metadata={"offending_windows": 1, "windows": [{"source_system": "JD"}]},
        figures=(("JD 2026-10-01T02:00", "0.41 % (10000 vs 9959)"), ("offending windows", "1")),
        rows=(
            DiffRow(
                unified_key="JD2026100100007",
                platform="JD",
                native_order_id="300001001",
                issue="missing_in_erp",
                reason_code="erp_not_received",
                detail="no U8 sales order",
            ),
        ),
        total_rows=75,
        diff_file="/srv/ordersight/diffs/reconciliation-diff-1.csv",
    )


def test_an_outcome_survives_json_and_dagster_metadata() -> None:
    outcome = _outcome()
    through_json = json.loads(json.dumps(outcome.to_dict()))
    assert CheckOutcome.from_dict(through_json) == outcome
    assert outcome_of({OUTCOME_KEY: MetadataValue.json(outcome.to_dict())}) == outcome


def test_metadata_without_an_outcome_is_not_read_as_one() -> None:
    assert outcome_of({"summary": MetadataValue.md("some other check")}) is None
    assert outcome_of({OUTCOME_KEY: MetadataValue.text("not a mapping")}) is None


def test_a_diff_row_from_a_database_row_fills_nulls_with_empty_text() -> None:
    row = DiffRow.from_mapping({"unified_key": None, "platform": "PDD", "native_order_id": 42})
    assert row == DiffRow("", "PDD", "42", "", "", "")
    assert row.as_dict()["native_order_id"] == "42"
