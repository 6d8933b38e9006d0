"""The Great Expectations checks (expectations/) against a real throwaway Postgres.

The marts the checks read are built by dbt in production; here each test creates and fills
them with plain SQL, so the data sits exactly on the boundaries that matter (0.3 % drift,
99.7 % presence).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import psycopg
import pytest

from expectations import CheckOutcome, check_completeness, check_drift
from expectations.drift import settled_windows
from orchestration.checks import DriftCheckConfig, drift_within_threshold, outcome_of
from orchestration.resources import AlertChannelsResource, WarehouseResource

DAY = datetime(2026, 1, 28, tzinfo=UTC)
SYSTEMS = ("TB", "JD", "PDD", "WX", "U8", "LEDGER")
BAD_WINDOW = DAY + timedelta(hours=2)  # JD, 10:00 China time

WINDOWS_DDL = """
create schema if not exists marts;
create table marts.fct_reconciliation_windows (
    window_start timestamptz, window_end timestamptz, source_system text,
    source_paid_count bigint, store_paid_count bigint,
    source_paid_fen bigint, store_paid_fen bigint,
    count_drift numeric, amount_drift numeric, is_drifting boolean
);
create table marts.fct_reconciliation_diffs (
    unified_key text, platform text, native_order_id text, source_system text,
    issue text, reason_code text, detail text, window_start timestamptz,
    in_platform boolean default true, in_erp boolean default false,
    in_ledger boolean default true
);
"""

# 48 half-hour windows x 6 systems; counts differ by 2 in 1,000 (0.2 %), amounts agree.
WINDOWS_FILL = """
insert into marts.fct_reconciliation_windows
select ws, ws + interval '30 minutes', system, 1000, 998, 5000000, 5000000,
       0.002, 0, false
from generate_series(%(day)s::timestamptz, %(day)s::timestamptz + interval '23.5 hours',
                     interval '30 minutes') as ws
cross join unnest(%(systems)s::text[]) as system
"""

PRESENCE_DDL = """
create schema if not exists marts;
create schema if not exists intermediate;
create table marts.fct_order_field_presence (
    unified_key text, platform text, state text, native_status text,
    created_at timestamptz, paid_at timestamptz, payment_fen bigint,
    receiver_name text, receiver_phone text
);
create table intermediate.int_payloads__quarantined (
    source text, raw_id bigint, native_id text, reason text, reason_kind text,
    received_at timestamptz
);
"""

# 1,000 complete orders per platform, keys <platform>20260128<5-digit serial>.
PRESENCE_FILL = """
insert into marts.fct_order_field_presence
select p || '20260128' || lpad(g::text, 5, '0'), p, 'paid', 'WAIT_SELLER_SEND_GOODS',
       %(day)s::timestamptz, %(day)s::timestamptz, 100 + g, 'name ' || g, '1380000' || g
from unnest(%(platforms)s::text[]) as p cross join generate_series(1, 1000) as g
"""


def run_sql(url: str, sql: str, params: dict | None = None) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql, params)  # type: ignore[arg-type]


def set_window(
    url: str,
    start: datetime,
    system: str,
    *,
    source: int,
    store: int,
    fen: tuple[int, int] | None = None,
) -> None:
    """Give one window the counts (and amounts) given; drift as the mart computes it."""
    source_fen, store_fen = fen or (5_000_000, 5_000_000)
    run_sql(
        url,
        """
        update marts.fct_reconciliation_windows
        set source_paid_count = %(source)s, store_paid_count = %(store)s,
            source_paid_fen = %(source_fen)s, store_paid_fen = %(store_fen)s,
            count_drift = abs(%(source)s - %(store)s)::numeric / %(source)s,
            amount_drift = abs(%(source_fen)s - %(store_fen)s)::numeric / %(source_fen)s
        where window_start = %(start)s and source_system = %(system)s""",
        {
            "source": source,
            "store": store,
            "source_fen": source_fen,
            "store_fen": store_fen,
            "start": start,
            "system": system,
        },
    )


def add_diff(
    url: str, native_id: str, system: str, start: datetime, issue: str = "missing_in_source"
) -> None:
    run_sql(
        url,
        """
        insert into marts.fct_reconciliation_diffs (unified_key, platform, native_order_id,
            source_system, issue, reason_code, detail, window_start)
        values (%(key)s, 'JD', %(native)s, %(system)s, %(issue)s, 'not_uploaded',
                'order absent from ' || %(system)s, %(start)s)""",
        {
            "key": f"JD202601280{native_id[-4:]}",
            "native": native_id,
            "system": system,
            "issue": issue,
            "start": start,
        },
    )


@pytest.fixture
def windows_url(fresh_db_url: str) -> str:
    run_sql(fresh_db_url, WINDOWS_DDL)
    run_sql(fresh_db_url, WINDOWS_FILL, {"day": DAY, "systems": list(SYSTEMS)})
    return fresh_db_url


@pytest.fixture
def presence_url(fresh_db_url: str) -> str:
    run_sql(fresh_db_url, PRESENCE_DDL)
    run_sql(fresh_db_url, PRESENCE_FILL, {"day": DAY, "platforms": ["TB", "JD"]})
    return fresh_db_url


def assert_ran(outcome: CheckOutcome) -> None:
    assert outcome.ran, outcome.summary
    json.dumps(outcome.metadata)  # JSON-able, always


def assert_not_run(outcome: CheckOutcome, *words: str) -> None:
    assert (outcome.passed, outcome.ran) == (False, False), outcome
    json.dumps(outcome.metadata)
    for word in words:
        assert word in outcome.summary, outcome.summary


# --- drift -----------------------------------------------------------------------------


def test_drift_passes_when_every_window_is_within_threshold(windows_url: str) -> None:
    set_window(windows_url, BAD_WINDOW, "JD", source=10_000, store=9_971)  # 0.29 %
    outcome = check_drift(windows_url)
    assert_ran(outcome)
    assert outcome.passed, outcome.summary
    assert outcome.metadata["windows_checked"] == 48 * 6
    assert outcome.metadata["offending_windows"] == 0
    assert outcome.metadata["max_drift_pct"] == pytest.approx(0.29)
    assert "windows" not in outcome.metadata


def test_drift_exactly_at_threshold_passes(windows_url: str) -> None:
    set_window(windows_url, BAD_WINDOW, "JD", source=1_000, store=997)  # exactly 0.3 %
    set_window(
        windows_url, BAD_WINDOW, "LEDGER", source=1_000, store=1_000, fen=(1_000_000, 997_000)
    )  # amount exactly 0.3 %
    outcome = check_drift(windows_url)
    assert outcome.passed and outcome.ran, outcome.summary
    assert outcome.metadata["max_drift_pct"] == pytest.approx(0.3)


def test_drift_fails_naming_the_window_and_its_differing_orders(windows_url: str) -> None:
    set_window(windows_url, BAD_WINDOW, "JD", source=10_000, store=9_959)  # 0.41 %
    for serial in ("1001", "1002", "1003"):
        add_diff(windows_url, f"30000{serial}", "JD", BAD_WINDOW)
    # Differing orders outside the offending windows must not be listed.
    add_diff(windows_url, "300002001", "JD", BAD_WINDOW + timedelta(minutes=30))
    add_diff(windows_url, "300002002", "TB", BAD_WINDOW)

    outcome = check_drift(windows_url)
    assert_ran(outcome)
    assert not outcome.passed
    meta = outcome.metadata
    assert meta["offending_windows"] == 1
    assert meta["windows_checked"] == 48 * 6
    assert meta["max_drift_pct"] == pytest.approx(0.41)
    [window] = meta["windows"]
    assert window["window_start"] == BAD_WINDOW.isoformat()
    assert window["source_system"] == "JD"
    assert (window["source_paid_count"], window["store_paid_count"]) == (10_000, 9_959)
    assert window["drift_pct"] == pytest.approx(0.41)
    assert {order["native_order_id"] for order in meta["top_orders"]} == {
        "300001001",
        "300001002",
        "300001003",
    }
    assert meta["differing_orders"] == 3
    assert set(meta["top_orders"][0]) >= {
        "unified_key",
        "platform",
        "native_order_id",
        "issue",
        "reason_code",
        "detail",
    }
    assert "JD" in outcome.summary and BAD_WINDOW.isoformat() in outcome.summary
    assert "0.41 %" in outcome.summary
    assert outcome.figures[0] == (
        f"JD {BAD_WINDOW.isoformat()[:16]}",
        "0.41 % (10000 vs 9959)",
    )
    assert ("offending windows", "1") in outcome.figures
    assert {row.native_order_id for row in outcome.rows} == {"300001001", "300001002", "300001003"}
    assert outcome.total_rows == 3
    assert CheckOutcome.from_dict(outcome.to_dict()) == outcome, "travels whole through metadata"

    capped = check_drift(windows_url, top_orders=2)
    assert len(capped.metadata["top_orders"]) == 2
    assert capped.metadata["differing_orders"] == 3


def test_drift_windows_are_listed_worst_first(windows_url: str) -> None:
    set_window(windows_url, BAD_WINDOW, "JD", source=10_000, store=9_959)  # 0.41 %
    set_window(windows_url, DAY, "U8", source=1_000, store=990)  # 1 %
    set_window(
        windows_url, DAY, "LEDGER", source=1_000, store=1_000, fen=(1_000_000, 995_000)
    )  # amount 0.5 %
    outcome = check_drift(windows_url)
    assert not outcome.passed and outcome.ran
    listed = [(w["source_system"], w["drift_pct"]) for w in outcome.metadata["windows"]]
    assert listed == [("U8", 1.0), ("LEDGER", 0.5), ("JD", 0.41)]


def test_drift_range_limits_the_windows_checked(windows_url: str) -> None:
    set_window(windows_url, BAD_WINDOW, "JD", source=10_000, store=9_959)
    before = check_drift(windows_url, windows=(DAY, BAD_WINDOW))
    assert before.passed and before.ran, before.summary
    assert before.metadata["windows_checked"] == 4 * 6
    around = check_drift(windows_url, windows=(BAD_WINDOW, BAD_WINDOW + timedelta(hours=1)))
    assert around.ran and not around.passed
    assert around.metadata["windows_checked"] == 2 * 6
    assert around.metadata["offending_windows"] == 1
    nothing = check_drift(windows_url, windows=(DAY - timedelta(days=2), DAY))
    assert_not_run(nothing, "no rows")
    with pytest.raises(ValueError):
        check_drift(windows_url, windows=(datetime(2026, 1, 28), datetime(2026, 1, 29)))


def test_drift_empty_table_did_not_run(windows_url: str) -> None:
    run_sql(windows_url, "truncate marts.fct_reconciliation_windows")
    assert_not_run(check_drift(windows_url), "marts.fct_reconciliation_windows", "no rows")


def test_drift_missing_table_did_not_run(fresh_db_url: str) -> None:
    assert_not_run(check_drift(fresh_db_url), "marts.fct_reconciliation_windows", "does not exist")


def test_drift_ge_error_is_not_a_pass(windows_url: str) -> None:
    # GE fails quietly on a missing column (error only in exception_info): must not pass.
    run_sql(windows_url, "alter table marts.fct_reconciliation_windows drop column amount_drift")
    assert_not_run(check_drift(windows_url), "amount_drift")


def test_bad_url_did_not_run(fresh_db_url: str) -> None:
    parts = urlsplit(fresh_db_url)
    unreachable = fresh_db_url.replace(f":{parts.port}/", ":1/")
    assert_not_run(check_drift(unreachable), "cannot connect")
    assert_not_run(check_completeness(unreachable, "TB"), "cannot connect")


# --- completeness ----------------------------------------------------------------------


def null_out(url: str, platform: str, column: str, rows: int) -> None:
    run_sql(
        url,
        f"""
        update marts.fct_order_field_presence set {column} = null
        where unified_key in (select unified_key from marts.fct_order_field_presence
                              where platform = %(p)s order by unified_key limit %(n)s)""",
        {"p": platform, "n": rows},
    )


def test_completeness_passes_at_99_8_percent(presence_url: str) -> None:
    null_out(presence_url, "TB", "receiver_phone", 2)
    null_out(presence_url, "JD", "receiver_phone", 500)  # another platform's gaps
    outcome = check_completeness(presence_url, "TB")
    assert_ran(outcome)
    assert outcome.passed, outcome.summary
    meta = outcome.metadata
    assert meta["rows"] == 1_000
    assert meta["fields"]["receiver_phone"]["non_null_pct"] == pytest.approx(99.8)
    assert meta["fields"]["receiver_name"]["non_null_pct"] == pytest.approx(100.0)
    assert meta["unmapped_statuses"]["count"] == 0


def test_completeness_fails_at_99_percent_with_observed_share(presence_url: str) -> None:
    null_out(presence_url, "TB", "receiver_phone", 10)
    outcome = check_completeness(presence_url, "TB")
    assert_ran(outcome)
    assert not outcome.passed
    phone = outcome.metadata["fields"]["receiver_phone"]
    assert phone == {
        "non_null_share": 0.99,
        "non_null_pct": 99.0,
        "null_count": 10,
        "passed": False,
    }
    assert outcome.metadata["failing_fields"] == ["receiver_phone"]
    assert "receiver_phone" in outcome.summary and "99 %" in outcome.summary
    assert outcome.figures == (("orders", "1,000"), ("receiver_phone present", "99 %"))


@pytest.mark.parametrize(
    ("column", "value", "meta_key"),
    [
        ("unified_key", "TB2026012", "bad_keys"),
        ("unified_key", "JD2026012800001", "bad_keys"),
        ("state", "frozen", "bad_states"),
    ],
)
def test_completeness_fails_on_a_bad_key_or_state(
    presence_url: str, column: str, value: str, meta_key: str
) -> None:
    run_sql(
        presence_url,
        f"""
        update marts.fct_order_field_presence set {column} = %(v)s
        where unified_key = 'TB2026012800007'""",
        {"v": value},
    )
    outcome = check_completeness(presence_url, "TB")
    assert_ran(outcome)
    assert not outcome.passed
    bad = outcome.metadata[meta_key]
    assert bad["unexpected_count"] == 1
    assert bad["examples"] == [{"value": value, "count": 1}]


def test_unmapped_status_fails_that_platform_only(presence_url: str) -> None:
    run_sql(
        presence_url,
        """
        insert into intermediate.int_payloads__quarantined values
        ('jd', 1, '300009', 'unknown native status: LOCKED_X', 'unknown native status',
         now()),
        ('jd_refunds', 2, '300010', 'unknown native refund status: 99',
         'unknown native refund status',
         now()),
        ('taobao', 3, '400001', 'unparseable amount: payment = x', 'unparseable amount', now()),
        ('u8', 4, 'SO1', 'unknown native status: 7', 'unknown native status', now())""",
    )
    jd = check_completeness(presence_url, "JD")
    assert_ran(jd)
    assert not jd.passed
    unmapped = jd.metadata["unmapped_statuses"]
    assert unmapped["count"] == 2
    assert {item["reason"] for item in unmapped["found"]} == {
        "unknown native status: LOCKED_X",
        "unknown native refund status: 99",
    }
    assert "unmapped native status" in jd.summary
    tb = check_completeness(presence_url, "TB")
    assert tb.passed and tb.ran, tb.summary


def test_completeness_platform_without_rows_did_not_run(presence_url: str) -> None:
    assert_not_run(check_completeness(presence_url, "WX"), "platform WX", "no rows")


def test_completeness_missing_table_did_not_run(presence_url: str) -> None:
    run_sql(presence_url, "drop table intermediate.int_payloads__quarantined")
    assert_not_run(
        check_completeness(presence_url, "TB"),
        "intermediate.int_payloads__quarantined",
        "does not exist",
    )


def test_completeness_unknown_column_did_not_run(presence_url: str) -> None:
    outcome = check_completeness(presence_url, "TB", required_fields=("buyer_nick",))
    assert_not_run(outcome, "buyer_nick")


def test_completeness_rejects_an_unknown_platform(presence_url: str) -> None:
    with pytest.raises(ValueError):
        check_completeness(presence_url, "U8")


def test_url_that_ge_postgres_dsn_rejects_still_runs(presence_url: str) -> None:
    # libpq form with the host as a query parameter: GE's Postgres DSN refuses it, the
    # generic SQL datasource takes it.
    parts = urlsplit(presence_url)
    url = (
        f"postgresql://{parts.username}:{parts.password}@{parts.path}"
        f"?host={parts.hostname}&port={parts.port}"
    )
    outcome = check_completeness(url, "TB")
    assert outcome.passed and outcome.ran, outcome.summary


def test_drift_unknown_drift_fails_and_is_listed_first(windows_url: str) -> None:
    set_window(windows_url, BAD_WINDOW, "JD", source=10_000, store=9_959)  # 0.41 %
    run_sql(
        windows_url,
        """
        update marts.fct_reconciliation_windows set count_drift = null
        where window_start = %(day)s and source_system = 'WX'""",
        {"day": DAY},
    )
    outcome = check_drift(windows_url)
    assert outcome.ran and not outcome.passed, outcome.summary
    assert outcome.metadata["offending_windows"] == 2
    first = outcome.metadata["windows"][0]
    assert (first["source_system"], first["drift_pct"]) == ("WX", None)


# --- the drift check as Dagster runs it ----------------------------------------------------


def run_drift_check(url: str, tmp_path, **config: int) -> tuple[bool, dict]:
    result = drift_within_threshold(
        config=DriftCheckConfig(**config),
        warehouse=WarehouseResource(database_url=url),
        alert_channels=AlertChannelsResource(outbox_path=str(tmp_path / "outbox.jsonl")),
    )
    outcome = outcome_of(result.metadata)
    assert outcome is not None, "every check result carries its outcome"
    return result.passed, outcome.metadata


def test_drift_check_leaves_out_windows_still_settling(windows_url: str, tmp_path) -> None:
    latest = DAY + timedelta(hours=23, minutes=30)
    set_window(windows_url, latest - timedelta(minutes=30), "U8", source=1000, store=900)
    passed, details = run_drift_check(windows_url, tmp_path)
    assert passed, "ERP bookings lag payment: the newest two hours are not judged yet"
    assert details["range"][1] == (DAY + timedelta(hours=22)).isoformat()
    passed, details = run_drift_check(windows_url, tmp_path, settle_minutes=0)
    assert not passed
    assert [w["source_system"] for w in details["windows"]] == ["U8"]


def test_settled_edge_follows_the_store_not_a_source_dated_ahead(windows_url: str) -> None:
    run_sql(
        windows_url,
        """
        insert into marts.fct_reconciliation_windows
        values (%(ahead)s, %(ahead)s + interval '30 minutes', 'U8', 1, 0, 100, 0, 1, 1, true)""",
        {"ahead": DAY + timedelta(hours=30)},
    )
    with psycopg.connect(windows_url) as conn:
        start, end = settled_windows(conn, lookback=timedelta(hours=6), settle=timedelta(hours=2))
    assert (start, end) == (DAY + timedelta(hours=16), DAY + timedelta(hours=22))


def test_drift_check_looks_back_a_day_from_the_settled_edge(windows_url: str, tmp_path) -> None:
    set_window(windows_url, BAD_WINDOW, "JD", source=1000, store=990)
    passed, details = run_drift_check(windows_url, tmp_path)
    assert not passed and details["windows"][0]["source_system"] == "JD"
    passed, _ = run_drift_check(windows_url, tmp_path, lookback_hours=12)
    assert passed, "drift older than the lookback is history, not a new incident"
