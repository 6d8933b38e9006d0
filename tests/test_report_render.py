"""The report renderer's pure pieces: CSV rows, HTML rows and page, atomic writes (no Postgres)."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from domain.rules import DRIFT_THRESHOLD
from domain.sources import PLATFORM_CODES, PLATFORMS
from reports import csv_files, html
from reports.atomic import replacing
from reports.model import CHANNELS, ChannelStats, DriftPoint, MisjudgementCase, MonthlyReport
from reports.summary import Summary, render

NOV = date(2026, 11, 1)
# 2026-12-01 17:05 UTC is 2026-12-02 01:05 in China.
GENERATED = datetime(2026, 12, 1, 17, 5, tzinfo=UTC)
NAMES = {
    "missing_rate_png": "m.png",
    "drift_png": "d.png",
    "channels_csv": "c.csv",
    "misjudgements_csv": "j.csv",
    "drift_csv": "r.csv",
}


def _case(i: int, **overrides: str) -> MisjudgementCase:
    fields = {
        "unified_key": f"PDD20261102{i:05d}",
        "channel": "PDD",
        "platform_state": "paid",
        "other_system": "u8",
        "other_status": "cancelled",
        "reason_code": "status_semantics",
        "cause": "status semantics differ between systems",
        "native_order_id": f"N{i}",
    }
    return MisjudgementCase(**{**fields, **overrides})


def _report(**overrides: object) -> MonthlyReport:
    fields: dict[str, object] = {
        "month": NOV,
        "generated_at": GENERATED,
        "channels": (
            ChannelStats("TB", 10, 8, 1, 2, 3 / 8, (("receiver_phone", 3), ("paid_at", 2))),
            ChannelStats("JD", 0, 0, 0, 0, 0.0, ()),
        ),
        "misjudgements": (_case(1),),
        "drift": (
            DriftPoint(date(2026, 11, 2), "U8", 0.0011, 0.0005, 0, 48),
            DriftPoint(date(2026, 11, 1), "U8", 0.004, 0.003, 1, 48),
            DriftPoint(date(2026, 11, 1), "LEDGER", 0.0, 0.0, 0, 48),
        ),
        "reason_counts": (("status_semantics", 1), ("no_such_code", 2)),
    }
    return MonthlyReport(**{**fields, **overrides})  # type: ignore[arg-type]


def _page(report: MonthlyReport, threshold: float = DRIFT_THRESHOLD) -> str:
    return html.render_page(report, drift_threshold=threshold, **NAMES)


def test_channels_are_the_registry_platforms() -> None:
    assert CHANNELS == PLATFORM_CODES == ("TB", "JD", "PDD", "WX")


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("TB", "TB (Taobao/Tmall)"),
        ("JD", "JD"),
        ("PDD", "PDD (Pinduoduo)"),
        ("WX", "WX (WeChat shop)"),
        ("U8", "U8"),  # not a sales channel: shown as it is
        ("XY", "XY"),
    ],
)
def test_channel_label(code: str, label: str) -> None:
    assert html.channel_label(code) == label


def test_every_platform_gets_a_label() -> None:
    assert all(html.channel_label(p.code) in (p.code, f"{p.code} ({p.label})") for p in PLATFORMS)


def test_percent_formats() -> None:
    assert html.fmt_pct(0.0125) == "1.25 %"
    assert html.fmt_pct(0.003, 1) == "0.3 %"
    assert html.fmt_pct(0.0123456, 3) == "1.235 %"
    assert csv_files.pct_number(2 / 3) == 66.6667
    assert csv_files.pct_number(0.0125) == 1.25


def test_csv_rows() -> None:
    report = _report()
    assert csv_files.CHANNELS_HEADER[-6:] == (
        "missing_field_1",
        "missing_count_1",
        "missing_field_2",
        "missing_count_2",
        "missing_field_3",
        "missing_count_3",
    )
    tb, jd = csv_files.channel_rows(report)
    assert tb == ["2026-11", "TB", 10, 8, 1, 2, 37.5, "receiver_phone", 3, "paid_at", 2, "", ""]
    assert jd[-6:] == ["", "", "", "", "", ""]
    assert csv_files.misjudgement_rows(report)[0][:3] == ["2026-11", "PDD2026110200001", "N1"]
    assert csv_files.drift_rows(report)[1] == ["2026-11-01", "U8", 0.4, 0.3, 1, 48]


def test_write_csvs(tmp_path: Path) -> None:
    paths = {name: tmp_path / f"{name}.csv" for name in ("channels", "misjudgements", "drift")}
    csv_files.write_csvs(_report(misjudgements=()), **paths)
    with paths["channels"].open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(csv_files.CHANNELS_HEADER) and [r[1] for r in rows[1:]] == ["TB", "JD"]
    assert paths["misjudgements"].read_bytes() == (
        ",".join(csv_files.MISJUDGEMENTS_HEADER).encode() + b"\r\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths.values())


def test_html_rows() -> None:
    cases = (_case(1), _case(2, reason_code="x", cause="x"), _case(3, unified_key="", channel=""))
    report = _report(misjudgements=cases)
    assert html.channel_rows(report)[0] == [
        "TB (Taobao/Tmall)",
        10,
        8,
        1,
        2,
        "37.50 %",
        "receiver_phone (3), paid_at (2)",
    ]
    assert html.channel_rows(report)[1][-1] == "—"
    assert html.cause_rows(report) == [
        ["status semantics differ between systems", "status_semantics", 2],
        ["x", "x", 1],
    ]
    assert html.example_rows(report)[2][:2] == ["(native id N3)", "—"]
    assert html.drift_rows(report) == [
        ["LEDGER", 1, 48, 0, "0.000 %", "2026-11-01"],
        ["U8", 2, 96, 1, "0.400 %", "2026-11-01"],
    ]
    assert html.reason_rows(report) == [
        ["status_semantics", "status semantics differ between systems", 1],
        ["no_such_code", "no_such_code", 2],
    ]


def test_examples_are_capped() -> None:
    report = _report(misjudgements=tuple(_case(i) for i in range(html.MAX_EXAMPLES + 7)))
    assert len(html.example_rows(report)) == html.MAX_EXAMPLES
    page = _page(report)
    assert f"the first {html.MAX_EXAMPLES} of {html.MAX_EXAMPLES + 7} (all are in j.csv)" in page
    assert "All cases" not in _page(report)
    assert "All cases (also in j.csv)." in _page(_report())


def test_page_structure() -> None:
    page = _page(_report())
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">\n<head>\n')
    assert page.endswith("</body>\n</html>\n")
    assert "<title>Cross-platform consistency report — 2026-11</title>" in page
    assert "Generated 2026-12-01 17:05 UTC (2026-12-02 01:05 China time)." in page
    assert "<style>\nbody { font-family:" in page and "}\n</style>" in page  # CSS inlined
    assert '<td class="num">37.50 %</td><td>receiver_phone (3), paid_at (2)</td>' in page
    assert '<img src="m.png" alt="Bar chart: missing rate by channel, 2026-11">' in page
    assert "drift exceeds 0.3 %." in page and "with the 0.3 % alert threshold" in page
    assert '<p class="muted">Data: c.csv, j.csv, r.csv.</p>' in page
    assert "{{" not in page and "{%" not in page and "\n\n" not in page


def test_page_quotes_the_threshold_it_is_given() -> None:
    page = _page(_report(), threshold=0.05)
    assert "drift exceeds 5.0 %." in page and "with the 5.0 % alert threshold" in page


def test_page_escapes_everything_from_the_data() -> None:
    evil = "<b>&'\""
    report = _report(
        channels=(ChannelStats(evil, 1, 1, 1, 0, 1.0, ((evil, 1),)),),
        misjudgements=(_case(1, unified_key=evil, cause=evil, reason_code=evil),),
        drift=(DriftPoint(NOV, evil, 0.1, 0.1, 1, 1),),
        reason_counts=((evil, 1),),
    )
    page = html.render_page(report, drift_threshold=DRIFT_THRESHOLD, **{k: evil for k in NAMES})
    assert evil not in page and "<b>" not in page
    assert page.count("&lt;b&gt;&amp;&#39;&#34;") >= 10


def test_empty_month_page() -> None:
    page = _page(_report(channels=(), misjudgements=(), drift=(), reason_counts=()))
    assert "<p><strong>No orders were created in 2026-11.</strong></p>" in page
    assert "<p>No status misjudgements were found this month.</p>" in page
    assert "<p>No reconciliation windows were recorded in 2026-11.</p>" in page
    assert "<p>No reconciliation differences were recorded this month.</p>" in page


def test_replacing_writes_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), replacing(target, "w", encoding="utf-8") as handle:
        handle.write("half")
        raise RuntimeError
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    with replacing(target) as handle:
        handle.write(b"new")
    assert target.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_summary_quotes_the_drift_threshold() -> None:
    summary = Summary(
        drift=[
            {
                "source": "TB",
                "windows": 10,
                "drifting": 1,
                "max_pct": 1.0,
                "mean_pct": 0.1,
                "source_count": 5,
                "store_count": 4,
            }
        ]
    )
    assert "1 over 0.3 %, max 1.00 %" in render(summary)
