"""Completeness check: one platform's orders carry what the reconciliation needs.

For a platform's rows of ``marts.fct_order_field_presence``: each required field present in at
least 99.7 % of orders, every unified key well formed, every state one of the five standard
states; and no payload of that platform's sources (orders and refunds) quarantined in
``intermediate.int_payloads__quarantined`` for an unmapped native (refund) status.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg

from domain.rules import REQUIRED_FIELD_SHARE
from domain.sources import SOURCES, platform_coded
from expectations.context import gx_session
from expectations.db import DatabaseUnavailable, connect, fetch_dicts, first_line, missing_tables
from expectations.outcome import CheckOutcome, jsonable, not_run, pct
from expectations.runner import SuiteRun, gx_errors, run_suite
from expectations.suites import (
    KEY_FORMAT,
    STATE_SET,
    UNMAPPED,
    UNMAPPED_COUNT_COLUMN,
    UNMAPPED_STATUS_KINDS,
    not_null_key,
    platform_key_regex,
    presence_expectations,
    quarantine_expectations,
)

PRESENCE_TABLE = "marts.fct_order_field_presence"
QUARANTINE_TABLE = "intermediate.int_payloads__quarantined"
REQUIRED_FIELDS = (
    "unified_key",
    "created_at",
    "payment_fen",
    "state",
    "receiver_name",
    "receiver_phone",
)
#: At most this many examples of bad keys, bad states and unmapped statuses are listed.
MAX_EXAMPLES = 5
MAX_UNMAPPED_LISTED = 20

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def _validate(platform: str, required_share: float, required_fields: tuple[str, ...]) -> None:
    platform_coded(platform)  # raises for an unknown platform
    if not 0 < required_share <= 1:
        raise ValueError(f"required_share must be in (0, 1], got {required_share!r}")
    if not required_fields:
        raise ValueError("required_fields is empty")
    for column in required_fields:
        if not _IDENTIFIER.match(column):
            raise ValueError(f"not a column name: {column!r}")


def check_completeness(
    database_url: str,
    platform: str,
    *,
    required_share: float = REQUIRED_FIELD_SHARE,
    required_fields: tuple[str, ...] = REQUIRED_FIELDS,
) -> CheckOutcome:
    """Completeness of one platform's orders and status mapping.

    ``platform`` is a code of ``domain.sources.PLATFORM_CODES``.

    Passes when each of ``required_fields`` is non-null in at least ``required_share`` of the
    platform's rows, every ``unified_key`` matches the unified-key pattern with the
    platform's own prefix (e.g. ``^TB[0-9]{13,}$``), every ``state`` is a standard state,
    and the quarantine holds no payload of the platform's sources (orders, refunds) with an
    unknown native status or refund status. Never raises for data problems: an unreachable
    database, a missing table, no rows for the platform or a GE error gives
    ``ran=False, passed=False``.
    """
    _validate(platform, required_share, required_fields)
    name = f"order_completeness_{platform}"
    source = platform_coded(platform).name
    # the platform's orders and its refunds: an unknown refund status counts for the platform
    sources = [item.name for item in SOURCES if item.platform_name == source]
    listed = ", ".join(f"'{name}'" for name in sources)
    metadata: dict[str, Any] = {
        "table": PRESENCE_TABLE,
        "platform": platform,
        "source": source,
        "sources": sources,
        "required_share": required_share,
        "required_pct": pct(required_share),
        "key_regex": platform_key_regex(platform),
    }
    what = f"{PRESENCE_TABLE} (platform {platform})"
    try:
        conn = connect(database_url)
    except DatabaseUnavailable as exc:
        return not_run(name, f"cannot connect to the warehouse: {exc}", **metadata)
    with conn:
        missing = missing_tables(conn, [PRESENCE_TABLE, QUARANTINE_TABLE])
        if missing:
            return not_run(
                name,
                f"table {' and '.join(missing)} does not exist (has the dbt build run?)",
                **metadata,
            )
        columns = list(dict.fromkeys(["unified_key", "state", *required_fields]))
        kinds = ", ".join(f"'{kind}'" for kind in UNMAPPED_STATUS_KINDS)
        try:
            with gx_session(database_url) as session:
                presence = run_suite(
                    session,
                    session.query_batch(
                        f"field_presence_{platform}",
                        query=f"select {', '.join(columns)} from {PRESENCE_TABLE} "
                        f"where platform = '{platform}'",
                    ),
                    f"{name}__fields",
                    presence_expectations(
                        required_share, required_fields, platform_key_regex(platform)
                    ),
                    what=what,
                )
                quarantine = (
                    run_suite(
                        session,
                        session.query_batch(
                            f"unmapped_statuses_{platform}",
                            query=f"select count(*)::bigint as {UNMAPPED_COUNT_COLUMN} "
                            f"from {QUARANTINE_TABLE} "
                            f"where source in ({listed}) and reason_kind in ({kinds})",
                        ),
                        f"{name}__statuses",
                        quarantine_expectations(),
                        what=f"{QUARANTINE_TABLE} (sources {', '.join(sources)})",
                    )
                    if presence.ran
                    else None
                )
        except gx_errors() as exc:
            return not_run(
                name, f"Great Expectations failed on {what}: {first_line(exc)}", **metadata
            )
        for run in (presence, quarantine):
            if run is None or not run.ran:
                problem = run.problem if run else None
                return not_run(
                    name, problem or f"the completeness check did not run on {what}", **metadata
                )
        assert quarantine is not None
        return _outcome(conn, name, presence, quarantine, metadata, required_fields, sources)


def _count(number: int | None, noun: str) -> str:
    number = number or 0
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _examples(result: dict[str, Any]) -> list[dict[str, Any]]:
    counts = result.get("partial_unexpected_counts") or []
    return [
        {"value": item.get("value"), "count": item.get("count")} for item in counts[:MAX_EXAMPLES]
    ]


def _outcome(
    conn: psycopg.Connection[Any],
    name: str,
    presence: SuiteRun,
    quarantine: SuiteRun,
    metadata: dict[str, Any],
    required_fields: tuple[str, ...],
    sources: list[str],
) -> CheckOutcome:
    rows = presence.row_count or 0
    problems: list[str] = []
    fields: dict[str, dict[str, Any]] = {}
    for column in required_fields:
        key = not_null_key(column)
        nulls = presence.result(key).get("unexpected_count") or 0
        share = (rows - nulls) / rows
        ok = presence.results[key]["success"]
        fields[column] = {
            "non_null_share": round(share, 6),
            "non_null_pct": pct(share),
            "null_count": nulls,
            "passed": ok,
        }
        if not ok:
            problems.append(
                f"{column} present in {pct(share):g} % of orders (< {metadata['required_pct']:g} %)"
            )
    bad_keys = presence.result(KEY_FORMAT)
    bad_states = presence.result(STATE_SET)
    unmapped_count = int(
        (quarantine.result(UNMAPPED).get("partial_unexpected_list") or [0])[0] or 0
    )
    if not presence.results[KEY_FORMAT]["success"]:
        problems.append(_count(bad_keys.get("unexpected_count"), "malformed unified key"))
    if not presence.results[STATE_SET]["success"]:
        problems.append(
            _count(bad_states.get("unexpected_count"), "order") + " in a non-standard state"
        )
    unmapped: list[dict[str, Any]] = []
    if not quarantine.results[UNMAPPED]["success"]:
        problems.append(
            _count(unmapped_count, "payload") + " quarantined for an unmapped native status"
        )
        try:
            unmapped = _unmapped(conn, sources)
        except psycopg.Error as exc:
            metadata["unmapped_error"] = first_line(exc)
    metadata.update(
        {
            "rows": rows,
            "fields": fields,
            "failing_fields": [column for column, item in fields.items() if not item["passed"]],
            "bad_keys": {
                "unexpected_count": bad_keys.get("unexpected_count"),
                "examples": _examples(bad_keys),
            },
            "bad_states": {
                "unexpected_count": bad_states.get("unexpected_count"),
                "examples": _examples(bad_states),
            },
            "unmapped_statuses": {"count": unmapped_count, "found": unmapped},
        }
    )
    passed = presence.success and quarantine.success
    platform = metadata["platform"]
    if passed:
        lowest = min(fields, key=lambda column: fields[column]["non_null_share"])
        summary = (
            f"{platform}: {rows:,} orders complete (lowest presence {lowest} "
            f"{fields[lowest]['non_null_pct']:g} % >= {metadata['required_pct']:g} %); "
            "keys and states valid; no unmapped native statuses"
        )
    else:
        summary = f"{platform}: " + "; ".join(problems)
    figures = [("orders", f"{rows:,}")]
    figures += [
        (f"{column} present", f"{fields[column]['non_null_pct']:g} %")
        for column in metadata["failing_fields"]
    ]
    if unmapped_count:
        figures.append(("payloads with an unmapped status", f"{unmapped_count:,}"))
    return CheckOutcome(
        name=name,
        passed=passed,
        ran=True,
        summary=summary,
        metadata=jsonable(metadata),
        figures=tuple(figures),
    )


def _unmapped(conn: psycopg.Connection[Any], sources: list[str]) -> list[dict[str, Any]]:
    return fetch_dicts(
        conn,
        f"""
        select reason, reason_kind, count(*) as payloads,
               min(native_id) as example_native_id, max(received_at) as last_received_at
        from {QUARANTINE_TABLE}
        where source = any(%(sources)s) and reason_kind = any(%(kinds)s)
        group by reason, reason_kind
        order by payloads desc, reason
        limit %(limit)s""",
        {"sources": sources, "kinds": list(UNMAPPED_STATUS_KINDS), "limit": MAX_UNMAPPED_LISTED},
    )
