"""Alert delivery against local fakes of a Feishu/Lark custom bot and the Slack Web API."""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
from dagster import AssetCheckEvaluation, AssetCheckSeverity, AssetKey, MetadataValue

from alerts import (
    Alert,
    DiffRow,
    FeishuSender,
    SlackSender,
    dispatch,
    read_outbox,
    render_text,
)
from alerts.diff_file import write_diff_csv
from alerts.feishu import MAX_BODY_BYTES, encode_body
from alerts.feishu_card import build_card
from alerts.incidents import escalation_alerts, incident_alerts
from alerts.rate_limit import SlidingWindowLimiter
from expectations.outcome import CheckOutcome
from orchestration.alerting import check_states
from orchestration.resources import AlertChannelsResource
from tests.fakes.clock import SteppingClock
from tests.fakes.feishu_server import FakeFeishuBot
from tests.fakes.slack_server import FakeSlackApi

CHANNEL_ID = "C0ALERTS"
LINK = "http://127.0.0.1:3000/runs/8f0c2b"


def make_alert(rows: int = 3, **overrides: object) -> Alert:
    diff_rows = tuple(
        DiffRow(
            unified_key=f"jd:{100000 + i}",
            platform="jd",
            native_order_id=str(100000 + i),
            issue="amount_mismatch",
            reason_code="erp_amount_unit_error",
            detail=f"ERP isum {20007 + i}.00 vs paid {200.07 + i:.2f} — 订单金额单位错误",
        )
        for i in range(rows)
    )
    fields: dict[str, object] = {
        "dedup_key": "drift:jd:2024-06-01T10:00",
        "kind": "firing",
        "severity": "critical",
        "title": "JD orders drift from the ERP",
        "summary": "0.41 % of JD orders between 10:00 and 10:30 differ from the ERP.",
        "figures": (("JD 10:00–10:30 drift", "0.41 %"), ("Orders compared", "12 204")),
        "rows": diff_rows,
        "total_rows": rows,
        "link": LINK,
    }
    fields.update(overrides)
    return Alert(**fields)  # type: ignore[arg-type]


def card_text(body: dict) -> str:
    """Every string in a card, joined: what a reader of the card would see."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body["card"])
    return "\n".join(found)


@pytest.fixture
def secret() -> str:
    return secrets.token_urlsafe(24)


@pytest.fixture
def bot(secret: str) -> Iterator[FakeFeishuBot]:
    with FakeFeishuBot(secret=secret) as fake:
        yield fake


@pytest.fixture
def slack_token() -> str:
    return "xoxb-" + secrets.token_hex(12)


@pytest.fixture
def slack_api(slack_token: str) -> Iterator[FakeSlackApi]:
    with FakeSlackApi(slack_token, channels=(CHANNEL_ID,)) as fake:
        yield fake


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox" / "alerts.jsonl"


# --- the model ------------------------------------------------------------------------------


def test_alert_is_utc_and_counts_at_least_its_rows() -> None:
    alert = make_alert(rows=4, total_rows=0)
    assert alert.total_rows == 4
    assert alert.created_at.utcoffset().total_seconds() == 0
    with pytest.raises(ValueError, match="timezone-aware"):
        make_alert(created_at=datetime(2024, 6, 1, 10, 0))  # noqa: DTZ001 - the point
    with pytest.raises(ValueError, match="kind"):
        make_alert(kind="resolved")


def test_render_text_says_how_many_more() -> None:
    text = render_text(make_alert(rows=30, total_rows=250), max_rows=20)
    assert text.startswith("[CRITICAL] JD orders drift from the ERP")
    assert "jd:100019" in text and "jd:100020" not in text
    assert "and 230 more differing orders" in text
    assert LINK in text


# --- Feishu ---------------------------------------------------------------------------------


def test_signed_card_is_accepted_with_figures_rows_and_link(
    bot: FakeFeishuBot, secret: str, tmp_path: Path
) -> None:
    diff = tmp_path / "diff_jd_1000.csv"
    diff.write_text("unified_key,issue\njd:100000,amount_mismatch\n")
    alert = make_alert(rows=3, total_rows=57, diff_file=diff)

    result = FeishuSender(bot.url, secret).send(alert)

    assert result.ok and result.attempts == 1 and result.platform_code == "0"
    [body] = bot.accepted
    assert body["msg_type"] == "interactive"
    assert body["timestamp"].isdigit() and body["sign"]
    assert body["card"]["header"]["template"] == "red"
    text = card_text(body)
    assert "JD 10:00–10:30 drift" in text and "0.41 %" in text
    for key in ("jd:100000", "jd:100001", "jd:100002"):
        assert key in text
    assert "erp_amount_unit_error" in text and "ERP isum 20007.00 vs paid 200.07" in text
    assert "and 54 more differing orders" in text
    assert "diff_jd_1000.csv" in text
    buttons = [e for e in body["card"]["elements"] if e["tag"] == "action"]
    assert buttons[0]["actions"][0]["url"] == LINK


def test_header_colour_follows_kind_and_severity(bot: FakeFeishuBot, secret: str) -> None:
    sender = FeishuSender(bot.url, secret)
    for kind, severity in (
        ("firing", "warning"),
        ("recovered", "critical"),
        ("escalation", "info"),
    ):
        assert sender.send(make_alert(kind=kind, severity=severity)).ok
    templates = [b["card"]["header"]["template"] for b in bot.accepted]
    assert templates == ["orange", "green", "purple"]


def test_wrong_secret_is_rejected_and_lands_in_the_outbox(
    bot: FakeFeishuBot, clock: SteppingClock, outbox: Path
) -> None:
    wrong = secrets.token_urlsafe(24)
    sender = FeishuSender(bot.url, wrong, clock=clock.time, sleep=clock.sleep)

    [result] = dispatch(make_alert(), [sender], outbox)

    assert not result.ok
    assert result.platform_code == "19021"
    assert result.attempts == 2  # signed afresh once, then given up
    assert bot.accepted == [] and bot.codes() == [19021, 19021]
    [record] = read_outbox(outbox)
    assert record["status"] == "delivery_failed" and record["channel"] == "feishu"
    assert "19021" in record["error"] and record["attempts"] == 2
    assert record["dedup_key"] == "drift:jd:2024-06-01T10:00"
    raw = outbox.read_text()
    assert wrong not in raw and bot.hook_token not in raw


def test_a_stale_signature_is_signed_again_once(
    bot: FakeFeishuBot, secret: str, clock: SteppingClock
) -> None:
    bot.fail_next(1, "bad_sign")
    result = FeishuSender(bot.url, secret, clock=clock.time, sleep=clock.sleep).send(make_alert())
    assert result.ok and result.attempts == 2
    assert bot.codes() == [19021, 0]


def test_5000_rows_fit_in_20_kb_and_say_how_many_more(bot: FakeFeishuBot, secret: str) -> None:
    alert = make_alert(rows=5000, summary="说明 " * 3000)

    result = FeishuSender(bot.url, secret).send(alert)

    assert result.ok  # the fake refuses bodies over 20 KB
    [body] = bot.accepted
    assert len(encode_body(body)) <= MAX_BODY_BYTES
    text = card_text(body)
    shown = len(re.findall(r"^\d+\. jd:\d+", text, flags=re.MULTILINE))
    assert 10 <= shown < 5000
    assert f"and {5000 - shown} more differing orders" in text


def test_throttling_is_retried_then_succeeds(
    bot: FakeFeishuBot, secret: str, clock: SteppingClock
) -> None:
    bot.fail_next(2, "throttle")
    sender = FeishuSender(bot.url, secret, clock=clock.time, sleep=clock.sleep)

    result = sender.send(make_alert())

    assert result.ok and result.attempts == 3
    assert bot.codes() == [11232, 11232, 0]
    assert len(clock.sleeps) == 2 and all(s >= 1.0 for s in clock.sleeps)


def test_a_persistent_server_error_is_retried_then_kept_in_the_outbox(
    bot: FakeFeishuBot, secret: str, clock: SteppingClock, outbox: Path
) -> None:
    bot.fail_next(10, "server_error")
    sender = FeishuSender(bot.url, secret, clock=clock.time, sleep=clock.sleep, max_retries=3)

    [result] = dispatch(make_alert(), [sender], outbox)

    assert not result.ok and result.attempts == 4 and result.status_code == 500
    assert clock.sleeps == [0.5, 1.0, 2.0]
    assert bot.accepted == []
    [record] = read_outbox(outbox)
    assert record["status"] == "delivery_failed" and "500" in record["error"]


def test_an_unreachable_webhook_is_retried_and_reported(secret: str, clock: SteppingClock) -> None:
    with FakeFeishuBot(secret=secret) as gone:
        url = gone.url
    sender = FeishuSender(url, secret, clock=clock.time, sleep=clock.sleep, timeout=2)

    result = sender.send(make_alert())

    assert not result.ok and result.attempts == 4
    assert result.error and "ConnectError" in result.error
    assert url not in result.error and secret not in result.error


def test_a_malformed_webhook_url_fails_without_retrying(clock: SteppingClock) -> None:
    sender = FeishuSender("open.feishu.cn/hook/x", None, clock=clock.time, sleep=clock.sleep)
    result = sender.send(make_alert())
    assert not result.ok and result.attempts == 1 and clock.sleeps == []


def test_a_burst_of_12_respects_5_per_second_across_senders(
    secret: str, clock: SteppingClock
) -> None:
    # Two senders on one webhook share the process-wide limiter. One thread, and the bot and
    # the senders on one stepping clock: it moves only while the limiter waits, so the bot's
    # arrival times are the moments the limiter let each request through.
    with FakeFeishuBot(secret=secret, clock=clock.time) as bot:
        burst_through_two_senders(bot, secret, clock)


def burst_through_two_senders(bot: FakeFeishuBot, secret: str, clock: SteppingClock) -> None:
    senders = [FeishuSender(bot.url, secret, clock=clock.time, sleep=clock.sleep) for _ in range(2)]
    results = [senders[i % 2].send(make_alert(dedup_key=f"burst-{i}")) for i in range(12)]

    assert len(results) == 12 and all(r.ok and r.attempts == 1 for r in results)
    assert bot.codes() == [0] * 12
    arrivals = [r.at for r in bot.received]
    assert all(sum(1 for t in arrivals if a <= t < a + 1.0) <= 5 for a in arrivals)
    assert arrivals[-1] - arrivals[0] >= 2.0  # 5 + 5 + 2 needs two full windows


def test_the_limiter_allows_100_per_minute_and_5_per_second(clock: SteppingClock) -> None:
    limiter = SlidingWindowLimiter(((5, 1.0), (100, 60.0)), margin=0.0)
    start = clock.time()
    times = []
    for _ in range(101):
        limiter.acquire(clock.time, clock.sleep)
        times.append(clock.time())
    assert times[99] - start < 60
    assert times[100] - start >= 60
    assert all(sum(1 for t in times if a <= t < a + 1.0) <= 5 for a in times)


# --- Slack ----------------------------------------------------------------------------------


def test_a_huge_alert_keeps_within_slack_limits(slack_api: FakeSlackApi, slack_token: str) -> None:
    alert = make_alert(
        rows=5000,
        title="JD orders drift " * 30,
        summary="<ERP> & platform disagree. " * 400,
        figures=tuple((f"figure {i}", f"{i} %") for i in range(40)),
    )
    sender = SlackSender(slack_token, CHANNEL_ID, base_url=slack_api.base_url, max_rows=5000)

    result = sender.send(alert)

    assert result.ok, result.error  # the fake refuses > 50 blocks or > 3,000-char sections
    [message] = slack_api.messages
    blocks = message["blocks"]
    assert len(blocks) <= 50
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    assert texts and all(len(t) <= 3000 for t in texts)
    assert all(len(b["fields"]) <= 10 for b in blocks if "fields" in b)
    shown = sum(t.count("\n• ") + t.startswith("• ") for t in texts)
    contexts = " ".join(e["text"] for b in blocks if b["type"] == "context" for e in b["elements"])
    assert 0 < shown < 5000
    assert f"and {5000 - shown} more differing orders" in contexts
    assert "&lt;ERP&gt; &amp; platform" in texts[0]
    assert message["text"].startswith("[CRITICAL] JD orders drift")


def test_slack_shows_figures_rows_and_link(slack_api: FakeSlackApi, slack_token: str) -> None:
    sender = SlackSender(slack_token, CHANNEL_ID, base_url=slack_api.base_url)
    assert sender.send(make_alert(rows=3, total_rows=10)).ok
    blocks = json.dumps(slack_api.messages[0]["blocks"], ensure_ascii=False)
    assert "JD 10:00–10:30 drift" in blocks and "jd:100002" in blocks
    assert "and 7 more differing orders" in blocks
    assert LINK in blocks


def test_an_injected_429_is_retried_after_retry_after(
    slack_api: FakeSlackApi, slack_token: str
) -> None:
    slack_api.fail_next(1, "ratelimited")
    sender = SlackSender(slack_token, CHANNEL_ID, base_url=slack_api.base_url)

    started = time.monotonic()
    result = sender.send(make_alert())

    assert result.ok and result.attempts == 2
    assert time.monotonic() - started >= 1.0  # Retry-After: 1 honoured
    assert slack_api.rate_limited == 1 and len(slack_api.messages) == 1


def test_two_alerts_in_a_row_both_land_despite_1_per_second(
    slack_api: FakeSlackApi, slack_token: str
) -> None:
    sender = SlackSender(slack_token, CHANNEL_ID, base_url=slack_api.base_url)
    first = sender.send(make_alert(dedup_key="a"))
    second = sender.send(make_alert(dedup_key="b"))
    assert first.ok and second.ok and second.attempts == 2
    assert slack_api.rate_limited == 1 and len(slack_api.messages) == 2


def test_server_errors_are_retried(slack_api: FakeSlackApi, slack_token: str) -> None:
    slack_api.fail_next(2, "server_error")
    sender = SlackSender(
        slack_token, CHANNEL_ID, base_url=slack_api.base_url, server_error_backoff=0.01
    )
    result = sender.send(make_alert())
    assert result.ok and result.attempts == 3


def test_the_diff_csv_is_uploaded_through_the_files_api(
    slack_api: FakeSlackApi, slack_token: str, tmp_path: Path
) -> None:
    diff = tmp_path / "diff_jd_1000.csv"
    content = "unified_key,issue,detail\n" + "".join(
        f"jd:{i},amount_mismatch,ERP isum vs paid\n" for i in range(2000)
    )
    diff.write_text(content, encoding="utf-8")
    sender = SlackSender(slack_token, CHANNEL_ID, base_url=slack_api.base_url)

    result = sender.send(make_alert(diff_file=diff))

    assert result.ok, result.error
    [shared] = slack_api.files
    assert shared.data == content.encode("utf-8")
    assert shared.channel == CHANNEL_ID and shared.filename == "diff_jd_1000.csv"
    assert shared.initial_comment and "JD orders drift" in shared.initial_comment
    assert "diff_jd_1000.csv" in json.dumps(slack_api.messages[0]["blocks"])


def test_a_bad_slack_token_is_a_recorded_failure(slack_api: FakeSlackApi, outbox: Path) -> None:
    bad = "xoxb-" + secrets.token_hex(12)
    sender = SlackSender(bad, CHANNEL_ID, base_url=slack_api.base_url)

    [result] = dispatch(make_alert(), [sender], outbox)

    assert not result.ok and result.platform_code == "invalid_auth"
    assert slack_api.messages == []
    [record] = read_outbox(outbox)
    assert record["status"] == "delivery_failed" and record["channel"] == "slack"
    assert "invalid_auth" in record["error"]
    assert bad not in outbox.read_text()


def test_an_unknown_slack_channel_is_a_failure(slack_api: FakeSlackApi, slack_token: str) -> None:
    sender = SlackSender(slack_token, "C0NOWHERE", base_url=slack_api.base_url)
    result = sender.send(make_alert())
    assert not result.ok and result.platform_code == "channel_not_found"


# --- dispatch and the outbox ----------------------------------------------------------------


def test_with_no_channel_configured_the_alert_is_in_the_outbox(
    outbox: Path, tmp_path: Path
) -> None:
    alert = make_alert(rows=2, total_rows=9, diff_file=tmp_path / "diff.csv")

    [result] = dispatch(alert, [], outbox)

    assert result.ok and result.channel == "outbox"
    [record] = read_outbox(outbox)
    assert record["channel"] == "outbox" and record["status"] == "recorded"
    for key, value in alert.as_dict().items():
        assert record[key] == value
    assert record["diff_file"] == str(tmp_path / "diff.csv")
    assert record["rows"][1]["unified_key"] == "jd:100001"
    assert datetime.fromisoformat(record["created_at"]) == alert.created_at


def test_only_failed_channels_are_written_to_the_outbox(
    bot: FakeFeishuBot, secret: str, slack_api: FakeSlackApi, outbox: Path
) -> None:
    feishu = FeishuSender(bot.url, secret)
    slack = SlackSender("xoxb-" + secrets.token_hex(12), CHANNEL_ID, base_url=slack_api.base_url)

    results = dispatch(make_alert(), [feishu, slack], outbox)

    assert [(r.channel, r.ok) for r in results] == [("feishu", True), ("slack", False)]
    assert len(bot.accepted) == 1
    assert [r["channel"] for r in read_outbox(outbox)] == ["slack"]


def test_a_failed_drift_check_becomes_one_incident_counting_every_diff_row(
    fresh_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    top = [
        {
            "unified_key": f"JD20261001{i:05d}",
            "platform": "JD",
            "native_order_id": str(i),
            "issue": "missing_in_erp",
            "reason_code": "erp_not_received",
            "detail": "no U8 order",
        }
        for i in range(20)
    ]
    evaluation = AssetCheckEvaluation(
        asset_key=AssetKey(["marts", "fct_reconciliation_windows"]),
        check_name="drift_within_threshold",
        passed=False,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "summary": MetadataValue.text("3 windows over 0.3 %"),
            "outcome": MetadataValue.json(
                CheckOutcome(
                    name="drift_within_threshold",
                    passed=False,
                    ran=True,
                    summary="3 windows over 0.3 %",
                    figures=(("offending windows", "3"),),
                    rows=tuple(DiffRow.from_mapping(row) for row in top),
                    total_rows=75,
                    diff_file="/srv/ordersight/diffs/reconciliation-diff-1.csv",
                ).to_dict()
            ),
        },
    )
    monkeypatch.setenv("ORDERSIGHT_DIFF_BASE_URL", "https://files.example/ordersight/diffs/")
    (state,) = check_states([evaluation], link=LINK, diff_link=AlertChannelsResource().diff_link)
    assert state.diff_url == "https://files.example/ordersight/diffs/reconciliation-diff-1.csv"
    assert state.dedup_key == "check:marts/fct_reconciliation_windows:drift_within_threshold"
    assert not state.healthy
    assert (len(state.rows), state.total_rows) == (20, 75)
    with psycopg.connect(fresh_db_url) as conn:
        (alert,) = incident_alerts(conn, [state])
        assert incident_alerts(conn, [state]) == [], "still failing: no second message"
    assert alert.kind == "firing"
    assert "and 55 more differing orders" in render_text(alert)
    card = json.dumps(build_card(alert, len(alert.rows)))
    assert state.diff_url in card and LINK in card, "both buttons: the run and the full diff"


BOARD_DDL = """
create schema marts;
create table marts.fct_reconciliation_board (
    item_key text, unified_key text, platform text, native_order_id text, issues text,
    reason_code text, detail text, red_since timestamptz, escalated boolean
);
insert into marts.fct_reconciliation_board values
    ('JD2026100100007', 'JD2026100100007', 'JD', '7', 'missing_in_erp', 'erp_not_received',
     'no U8 sales order', now() - interval '3 hours', true),
    ('JD2026100100008', 'JD2026100100008', 'JD', '8', 'missing_in_erp', 'erp_not_received',
     'no U8 sales order', now() - interval '1 hour', false);
"""


def test_escalated_items_are_announced_once_and_again_when_they_clear(fresh_db_url: str) -> None:
    with psycopg.connect(fresh_db_url) as conn:
        conn.execute(BOARD_DDL)
        (escalation,) = escalation_alerts(conn, link=LINK)
        assert escalation.kind == "escalation"
        assert [row.unified_key for row in escalation.rows] == ["JD2026100100007"]
        assert escalation_alerts(conn, link=LINK) == [], "announced once"

        conn.execute("update marts.fct_reconciliation_board set escalated = false")
        (cleared,) = escalation_alerts(conn, link=LINK)
        assert (cleared.kind, cleared.severity) == ("recovered", "info")
        assert "JD2026100100007" in cleared.summary
        assert escalation_alerts(conn, link=LINK) == []


def test_diff_files_are_written_whole_and_old_ones_pruned(fresh_db_url: str, tmp_path) -> None:
    for day in range(1, 6):
        (tmp_path / f"reconciliation-diff-2026100{day}T000000Z.csv").write_text("old\n")
    with psycopg.connect(fresh_db_url) as conn:
        conn.execute("""
            create schema marts;
            create table marts.fct_reconciliation_diffs as
            select 'JD20261001' || lpad(g::text, 5, '0') as unified_key, 'JD' as platform,
                   g::text as native_order_id, 'U8' as source_system,
                   'missing_in_erp' as issue, 'erp_not_received' as reason_code,
                   'no U8 sales order' as detail, true as in_platform, false as in_erp,
                   true as in_ledger, now() as window_start
            from generate_series(1, 120) as g""")
        path = write_diff_csv(conn, tmp_path, label="reconciliation-diff", keep=3)
    lines = path.read_text().splitlines()
    assert len(lines) == 121, "header and every diff row"
    assert lines[0].split(",")[7:10] == ["in_platform", "in_erp", "in_ledger"]
    kept = sorted(p.name for p in tmp_path.glob("reconciliation-diff-*.csv"))
    assert len(kept) == 3 and path.name in kept
    assert "reconciliation-diff-20261005T000000Z.csv" in kept
