"""Run one expectation suite on one batch and prove that it really ran.

GE can fail quietly (docs/stack.md): a result may come back ``success=False`` with an empty
``result`` and the error only in ``exception_info``, and column expectations on an empty
batch succeed vacuously. :func:`run_suite` therefore reports ``ran`` only when every
expectation of the suite has a result, none raised, and the batch had rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg

from expectations.context import GxSession, import_gx
from expectations.outcome import jsonable
from expectations.suites import ROWS, key_of

RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 10}


@dataclass
class SuiteRun:
    """What one validation produced, keyed by expectation key."""

    suite_name: str
    ran: bool
    problem: str | None = None
    row_count: int | None = None
    results: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        """Ran, and every expectation succeeded."""
        return self.ran and all(item["success"] for item in self.results.values())

    def result(self, key: str) -> dict[str, Any]:
        """The ``result`` dict of the expectation with ``key`` (empty if none)."""
        return self.results.get(key, {}).get("result", {})


def gx_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean "GE could not validate the data", not a bug in the caller.

    GE's connection test raises ``TestConnectionError`` (an ``OSError``); driver and
    SQLAlchemy errors surface as themselves.
    """
    import_gx()
    from great_expectations.exceptions import GreatExpectationsError
    from sqlalchemy.exc import SQLAlchemyError

    return (GreatExpectationsError, SQLAlchemyError, psycopg.Error, OSError)


def raised_message(exception_info: Any) -> str | None:
    """The message of a raised exception in a result's ``exception_info``, else None.

    GE uses two shapes: ``{"raised_exception": ..., "exception_message": ...}`` and, when a
    metric failed, ``{<metric id>: {"raised_exception": True, ...}, ...}``.
    """
    if not exception_info:
        return None
    if not isinstance(exception_info, dict):
        return str(exception_info)
    if "raised_exception" in exception_info:
        if exception_info.get("raised_exception"):
            return str(exception_info.get("exception_message") or "unknown GE error")
        return None
    for item in exception_info.values():
        message = raised_message(item)
        if message:
            return message
    return None


def run_suite(
    session: GxSession,
    batch_definition: Any,
    suite_name: str,
    expectations: list[Any],
    *,
    what: str,
) -> SuiteRun:
    """Validate ``batch_definition`` against ``expectations``; ``what`` names the data."""
    gx = import_gx()
    expected_keys = [key_of(expectation) for expectation in expectations]
    if None in expected_keys or ROWS not in expected_keys:
        raise ValueError("every expectation needs meta['key'] and the suite a row count")
    suite = session.context.suites.add(
        gx.ExpectationSuite(name=suite_name, expectations=expectations)
    )
    definition = session.context.validation_definitions.add(
        gx.ValidationDefinition(
            name=f"{suite_name}__validation", data=batch_definition, suite=suite
        )
    )
    validation = definition.run(result_format=RESULT_FORMAT)
    return verify(suite_name, validation, expected_keys, what=what)


def verify(
    suite_name: str, validation: Any, expected_keys: list[str | None], *, what: str
) -> SuiteRun:
    """Turn a GE validation result into a :class:`SuiteRun`, checking that it really ran."""
    results: dict[str, dict[str, Any]] = {}
    for item in validation.results:
        key = key_of(item.expectation_config)
        if key is None:
            continue
        message = raised_message(item.exception_info)
        if message:
            first = message.strip().splitlines()[0] if message.strip() else message
            return SuiteRun(
                suite_name, ran=False, problem=f"GE could not evaluate {key} on {what}: {first}"
            )
        results[key] = {
            "type": item.expectation_config.type,
            "success": bool(item.success),
            "result": jsonable(dict(item.result or {})),
        }
    absent = [key for key in expected_keys if key not in results]
    if absent:
        return SuiteRun(
            suite_name,
            ran=False,
            problem=f"GE returned no result for {', '.join(map(str, absent))} on {what}",
        )
    observed = results[ROWS]["result"].get("observed_value")
    if not isinstance(observed, int):
        return SuiteRun(suite_name, ran=False, problem=f"GE did not report a row count for {what}")
    if observed == 0:
        return SuiteRun(
            suite_name, ran=False, row_count=0, problem=f"{what} has no rows: nothing was checked"
        )
    return SuiteRun(suite_name, ran=True, row_count=observed, results=results)
