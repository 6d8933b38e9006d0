"""Monthly consistency report: marts tables in a real Postgres → load → render to files."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pytest

from reports import (
    ChannelStats,
    MisjudgementCase,
    MonthlyReport,
    render_monthly_report,
)
from reports.load import load_monthly_report, other_status_from_detail

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NOV = date(2026, 11, 1)
GENERATED = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)

DDL = """
create schema marts;
create table marts.fct_orders (
    unified_key text primary key, platform text, state text, is_cancelled boolean,
    refund_status text, is_on_hold boolean, paid_at timestamptz, created_at timestamptz,
    in_erp boolean, erp_status text, in_ledger boolean, payment_fen bigint
);
create table marts.fct_order_field_presence (
    unified_key text, platform text, state text, native_status text, created_at timestamptz,
    paid_at timestamptz, payment_fen bigint, receiver_name text, receiver_phone text
);
create table marts.fct_reconciliation_diffs (
    unified_key text, platform text, native_order_id text, source_system text, issue text,
    reason_code text, detail text, window_start timestamptz
);
create table marts.fct_reconciliation_windows (
    window_start timestamptz, window_end timestamptz, source_system text,
    source_paid_count bigint, store_paid_count bigint, source_paid_fen bigint,
    store_paid_fen bigint, count_drift numeric, amount_drift numeric, is_drifting boolean
);
"""

# key, platform, state, on_hold, created_at (UTC), paid, in_erp, erp_status, in_ledger
ORDERS = [
    # 2026-10-31 16:30 UTC is 2026-11-01 00:30 in China: a November order.
    ("TB2026110100001", "TB", "paid", False, "2026-10-31 16:30", True, False, None, True),
    ("TB2026110500002", "TB", "paid", False, "2026-11-05 02:00", True, True, "paid", False),
    ("TB2026111000003", "TB", "shipped", False, "2026-11-10 03:00", True, True, "paid", True),
    ("TB2026111200004", "TB", "created", False, "2026-11-12 03:00", False, False, None, False),
    # 2026-11-30 16:30 UTC is 2026-12-01 00:30 in China: December.
    ("TB2026120100005", "TB", "paid", False, "2026-11-30 16:30", True, False, None, False),
    # 2026-10-31 15:59 UTC is 2026-10-31 23:59 in China: October.
    ("TB2026103100006", "TB", "paid", False, "2026-10-31 15:59", True, True, "paid", True),
    ("JD2026110300001", "JD", "paid", False, "2026-11-03 01:00", True, True, "paid", True),
    ("JD2026110400002", "JD", "completed", False, "2026-11-04 01:00", True, True, "paid", True),
    # On risk-control hold and not in the ledger: not counted as missing in the ledger.
    ("PDD2026110200001", "PDD", "paid", True, "2026-11-02 01:00", True, True, "paid", False),
    ("PDD2026110200002", "PDD", "paid", False, "2026-11-02 02:00", True, True, "cancelled", True),
    ("PDD2026110200003", "PDD", "paid", False, "2026-11-02 03:00", True, True, "paid", False),
    ("PDD2026110200004", "PDD", "shipped", False, "2026-11-02 04:00", True, True, "paid", True),
]

# platform, state, created_at, paid_at null?, payment null?, name null?, phone null?
PRESENCE = [
    ("TB", "paid", "2026-10-31 16:30", True, False, True, True),
    ("TB", "shipped", "2026-11-05 02:00", False, False, False, True),
    ("TB", "created", "2026-11-12 03:00", True, False, False, True),  # unpaid: paid_at not due
    ("TB", "paid", "2026-11-10 03:00", True, False, False, False),
    ("TB", "paid", "2026-11-30 16:30", True, True, True, True),  # December
    ("JD", "paid", "2026-11-03 01:00", False, False, False, False),
    ("PDD", "paid", "2026-11-02 01:00", False, False, False, True),
]

# key, platform, native id, source system, issue, reason, detail, window_start (UTC)
DIFFS = [
    (
        "PDD2026110200002",
        "PDD",
        "260602-1",
        "u8",
        "status_mismatch",
        "pdd_refund_only_as_cancelled",
        "u8_status=cancelled platform_status=refund_only",
        "2026-11-03 00:00",
    ),
    (
        "PDD2026110200002",
        "PDD",
        "260602-1",
        "u8",
        "status_mismatch",
        "pdd_refund_only_as_cancelled",
        "u8_status=cancelled platform_status=refund_only",
        "2026-11-03 00:30",
    ),
    (
        "TB2026111000003",
        "TB",
        "3003",
        "ledger",
        "status_mismatch",
        "status_semantics",
        "ledger paid vs platform shipped",
        "2026-11-11 00:00",
    ),
    (
        "PDD2026110200001",
        "PDD",
        "260602-0",
        "ledger",
        "status_mismatch",
        "hold_booked_as_paid",
        "status: paid",
        "2026-10-31 16:10",
    ),  # 2026-11-01 00:10 in China
    (
        "JD2026110300001",
        "JD",
        "7001",
        "u8",
        "status_mismatch",
        "jd_locked_unmapped",
        "ERP status LOCKED vs platform paid",
        "2026-11-04 00:00",
    ),
    (
        "TB2026110100001",
        "TB",
        "3001",
        "u8",
        "missing_in_erp",
        "missing_upload",
        "not in U8",
        "2026-11-01 00:00",
    ),
    (
        "TB2026110100001",
        "TB",
        "3001",
        "u8",
        "missing_in_erp",
        "missing_upload",
        "not in U8",
        "2026-11-01 00:30",
    ),
    (
        None,
        "TB",
        "N999",
        "ledger",
        "missing_in_ledger",
        "missing_upload",
        "no entry",
        "2026-11-08 00:00",
    ),
    # 2026-11-30 16:05 UTC is December in China.
    (
        "JD2026110400002",
        "JD",
        "7002",
        "u8",
        "status_mismatch",
        "status_semantics",
        "u8_status=paid",
        "2026-11-30 16:05",
    ),
]

# window_start (UTC), source system, count drift, amount drift, drifting
WINDOWS = [
    ("2026-10-31 15:30", "u8", "0.5", "0.5", True),  # October in China
    ("2026-10-31 16:00", "u8", "0.001", "0.004", True),  # 2026-11-01 in China
    ("2026-10-31 16:30", "u8", "0.002", "0", False),
    ("2026-11-02 04:00", "ledger", "0", "0.001", False),
    ("2026-11-02 05:00", "ledger", "-0.005", "0.001", True),
]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def conn(fresh_db_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(fresh_db_url, autocommit=True) as connection:
        connection.execute(DDL)
        with connection.cursor() as cur:
            cur.executemany(
                "insert into marts.fct_orders (unified_key, platform, state, is_cancelled,"
                " refund_status, is_on_hold, paid_at, created_at, in_erp, erp_status, in_ledger,"
                " payment_fen) values (%s, %s, %s, false, 'none', %s, %s, %s, %s, %s, %s, 100)",
                [
                    (k, p, s, hold, _utc(c) if paid else None, _utc(c), erp, st, ledger)
                    for k, p, s, hold, c, paid, erp, st, ledger in ORDERS
                ],
            )
            cur.executemany(
                "insert into marts.fct_order_field_presence (platform, state, created_at,"
                " paid_at, payment_fen, receiver_name, receiver_phone)"
                " values (%s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        p,
                        s,
                        _utc(c),
                        None if no_paid else _utc(c),
                        None if no_pay else 100,
                        None if no_name else "张三",
                        None if no_phone else "13800000000",
                    )
                    for p, s, c, no_paid, no_pay, no_name, no_phone in PRESENCE
                ],
            )
            cur.executemany(
                "insert into marts.fct_reconciliation_diffs values (%s, %s, %s, %s, %s, %s, %s,"
                " %s)",
                [(*row[:-1], _utc(row[-1])) for row in DIFFS],
            )
            cur.executemany(
                "insert into marts.fct_reconciliation_windows (window_start, window_end,"
                " source_system, count_drift, amount_drift, is_drifting)"
                " values (%s, %s + interval '30 minutes', %s, %s, %s, %s)",
                [(_utc(w), _utc(w), s, cd, ad, d) for w, s, cd, ad, d in WINDOWS],
            )
        yield connection


def _by_channel(report: MonthlyReport) -> dict[str, ChannelStats]:
    return {c.channel: c for c in report.channels}


def test_november_numbers(conn: psycopg.Connection) -> None:
    report = load_monthly_report(conn, NOV, generated_at=GENERATED)
    assert report.month == NOV
    assert report.generated_at == GENERATED
    assert [c.channel for c in report.channels] == ["TB", "JD", "PDD", "WX"]

    ch = _by_channel(report)
    tb = ch["TB"]
    assert (tb.orders, tb.paid_orders, tb.missing_in_erp, tb.missing_in_ledger) == (4, 3, 1, 1)
    assert tb.missing_rate == pytest.approx(2 / 3)
    # paid_at is only missing where the order got beyond 'created': 2, not 3.
    assert tb.top_missing_fields == (("receiver_phone", 3), ("paid_at", 2), ("receiver_name", 1))
    assert (ch["JD"].orders, ch["JD"].missing_rate, ch["JD"].top_missing_fields) == (2, 0.0, ())
    pdd = ch["PDD"]
    assert (pdd.paid_orders, pdd.missing_in_erp, pdd.missing_in_ledger) == (4, 0, 1)  # hold
    assert pdd.missing_rate == pytest.approx(0.25)
    assert pdd.top_missing_fields == (("receiver_phone", 1),)
    assert ch["WX"] == ChannelStats("WX", 0, 0, 0, 0, 0.0, ())

    cases = [
        (m.unified_key, m.channel, m.platform_state, m.other_system, m.other_status, m.cause)
        for m in report.misjudgements
    ]
    assert cases == [
        (
            "TB2026111000003",
            "TB",
            "shipped",
            "ledger",
            "paid",
            "status semantics differ between systems",
        ),
        ("JD2026110300001", "JD", "paid", "u8", "LOCKED", "jd_locked_unmapped"),
        ("PDD2026110200001", "PDD", "paid", "ledger", "paid", "risk-control hold booked as paid"),
        (
            "PDD2026110200002",
            "PDD",
            "paid",
            "u8",
            "cancelled",
            "Pinduoduo refund-only (仅退款) read as cancelled by the ERP",
        ),
    ]
    assert report.reason_counts == (
        ("missing_upload", 2),
        ("hold_booked_as_paid", 1),
        ("jd_locked_unmapped", 1),
        ("pdd_refund_only_as_cancelled", 1),
        ("status_semantics", 1),
    )

    drift = [
        (d.day, d.source_system, d.max_drift, d.mean_drift, d.drifting_windows, d.windows)
        for d in report.drift
    ]
    assert drift == [
        (date(2026, 11, 1), "u8", pytest.approx(0.004), pytest.approx(0.003), 1, 2),
        (date(2026, 11, 2), "ledger", pytest.approx(0.005), pytest.approx(0.003), 1, 2),
    ]


def test_months_are_cut_in_china_time(conn: psycopg.Connection) -> None:
    october = load_monthly_report(conn, date(2026, 10, 1), generated_at=GENERATED)
    december = load_monthly_report(conn, date(2026, 12, 17), generated_at=GENERATED)
    assert december.month == date(2026, 12, 1)
    assert _by_channel(october)["TB"].orders == 1
    assert october.total_orders == 1
    assert [(d.day, d.max_drift) for d in october.drift] == [(date(2026, 10, 31), 0.5)]
    assert october.misjudgements == ()
    tb_dec = _by_channel(december)["TB"]
    assert (tb_dec.orders, tb_dec.missing_in_erp, tb_dec.missing_in_ledger) == (1, 1, 1)
    assert tb_dec.missing_rate == 2.0
    assert [m.unified_key for m in december.misjudgements] == ["JD2026110400002"]
    assert december.reason_counts == (("status_semantics", 1),)


def test_render_writes_html_charts_and_csvs(conn: psycopg.Connection, tmp_path: Path) -> None:
    report = load_monthly_report(conn, NOV, generated_at=GENERATED)
    files = render_monthly_report(report, tmp_path)

    assert files.directory == tmp_path / "2026-11"
    assert files.html.name == "consistency-report-2026-11.html"
    for path in files.all:
        assert path.is_file() and path.stat().st_size > 0, path
    for png in files.pngs:
        assert png.read_bytes()[:8] == PNG_MAGIC
    assert {p.name for p in files.pngs} == {"missing-rate-by-channel.png", "drift-trend.png"}

    page = files.html.read_text(encoding="utf-8")
    assert "Cross-platform consistency report — 2026-11" in page
    assert "2026-12-02 01:00 UTC" in page
    assert '<img src="missing-rate-by-channel.png" alt="' in page
    assert '<img src="drift-trend.png" alt="' in page
    assert "<td>TB (Taobao/Tmall)</td>" in page
    assert "66.67 %" in page and "25.00 %" in page
    assert "receiver_phone (3), paid_at (2), receiver_name (1)" in page
    assert "Pinduoduo refund-only (仅退款) read as cancelled by the ERP" in page
    assert "PDD2026110200002" in page and "missing_upload" in page
    assert "http" not in page.replace("http-equiv", "")  # no external assets

    with files.channels_csv.open(encoding="utf-8", newline="") as handle:
        rows = {r["channel"]: r for r in csv.DictReader(handle)}
    assert list(rows) == ["TB", "JD", "PDD", "WX"]
    assert float(rows["TB"]["missing_rate_pct"]) == pytest.approx(66.6667)
    assert float(rows["PDD"]["missing_rate_pct"]) == 25.0
    assert (rows["TB"]["missing_field_1"], rows["TB"]["missing_count_1"]) == ("receiver_phone", "3")
    with files.misjudgements_csv.open(encoding="utf-8", newline="") as handle:
        cases = list(csv.DictReader(handle))
    assert len(cases) == 4
    assert cases[-1]["cause"] == "Pinduoduo refund-only (仅退款) read as cancelled by the ERP"
    with files.drift_csv.open(encoding="utf-8", newline="") as handle:
        drift = list(csv.DictReader(handle))
    assert [(d["day"], d["source_system"], float(d["max_drift_pct"])) for d in drift] == [
        ("2026-11-01", "u8", 0.4),
        ("2026-11-02", "ledger", 0.5),
    ]


def test_rerendering_overwrites(conn: psycopg.Connection, tmp_path: Path) -> None:
    report = load_monthly_report(conn, NOV, generated_at=GENERATED)
    first = render_monthly_report(report, tmp_path)
    for path in first.all:
        path.write_bytes(b"stale")
    later = datetime(2026, 12, 3, 7, 45, tzinfo=UTC)
    again = render_monthly_report(load_monthly_report(conn, NOV, generated_at=later), tmp_path)
    assert again == first
    for path in again.all:
        assert path.read_bytes() != b"stale", path
    assert "2026-12-03 07:45 UTC" in again.html.read_text(encoding="utf-8")
    assert sorted(p.name for p in again.directory.iterdir()) == sorted(p.name for p in again.all)


def test_an_empty_month_renders(conn: psycopg.Connection, tmp_path: Path) -> None:
    report = load_monthly_report(conn, date(2027, 1, 1), generated_at=GENERATED)
    assert report.total_orders == 0
    assert all(c.missing_rate == 0.0 and c.top_missing_fields == () for c in report.channels)
    assert (report.misjudgements, report.drift, report.reason_counts) == ((), (), ())
    files = render_monthly_report(report, tmp_path)
    page = files.html.read_text(encoding="utf-8")
    assert "No orders were created in 2027-01." in page
    assert "No reconciliation windows were recorded in 2027-01." in page
    for png in files.pngs:
        assert png.read_bytes()[:8] == PNG_MAGIC
    with files.misjudgements_csv.open(encoding="utf-8") as handle:
        assert handle.read().startswith("month,unified_key,")


def test_text_is_escaped_and_examples_capped(tmp_path: Path) -> None:
    case = MisjudgementCase(
        unified_key="<script>alert(1)</script>",
        channel="PDD",
        platform_state="paid",
        other_system="u8",
        other_status='"cancelled"',
        reason_code="status_semantics",
        cause="status semantics differ between systems",
    )
    report = MonthlyReport(
        month=NOV,
        generated_at=GENERATED,
        channels=(ChannelStats("PDD", 1, 1, 1, 0, 1.0, (("receiver_phone", 1),)),),
        misjudgements=(case,) * 60,
        drift=(),
        reason_counts=(("a&b", 60),),
    )
    page = render_monthly_report(report, tmp_path).html.read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&#34;cancelled&#34;" in page
    assert '"cancelled"' not in page
    assert "a&amp;b" in page
    assert page.count("&lt;script&gt;") == 50
    assert "the first 50 of 60" in page


def test_month_must_be_a_first_day() -> None:
    with pytest.raises(ValueError, match="first day"):
        MonthlyReport(date(2026, 11, 2), GENERATED, (), (), (), ())
    with pytest.raises(ValueError, match="timezone"):
        MonthlyReport(NOV, datetime(2026, 12, 2), (), (), (), ())


@pytest.mark.parametrize(
    ("detail", "system", "expected"),
    [
        ("u8_status=cancelled platform_status=refund_only", "u8", "cancelled"),
        ("platform_status=paid erp_status=已取消", "u8", "已取消"),
        ("ERP status 已取消 vs platform paid", "u8", "已取消"),
        (
            "ERP cancelled vs platform 已发货，退款成功 (not cancelled), refund refund_only",
            "U8",
            "cancelled",
        ),
        ("ledger: paid vs platform on hold", "ledger", "paid"),
        ("status: TRADE_CLOSED", "u8", "TRADE_CLOSED"),
        ("something else entirely", "u8", "something else entirely"),
        (None, "u8", ""),
    ],
)
def test_other_status_is_read_from_detail(detail: str | None, system: str, expected: str) -> None:
    assert other_status_from_detail(detail, system) == expected
