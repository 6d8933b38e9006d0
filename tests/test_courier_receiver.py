"""The courier push receiver over real sockets: authentication, parsing, dedup, bad input."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import urlencode

import httpx
import psycopg
import pytest

from ingest.courier_simulator import pushes
from ingest.courier_simulator.pushes import Push, Scan
from ingest.courier_simulator.sender import deliver
from ingest.couriers.auth import aftership_signature
from tests.receiver_process import SECRETS, Receiver, running_receiver

SALT = SECRETS["ORDERSIGHT_KUAIDI100_SALT"]
SF_TOKEN = SECRETS["ORDERSIGHT_SF_PUSH_TOKEN"]
ZTO_KEY = SECRETS["ORDERSIGHT_ZTO_KEY"]
ZTO_COMPANY = SECRETS["ORDERSIGHT_ZTO_COMPANY_ID"]
AFTERSHIP_SECRET = SECRETS["ORDERSIGHT_AFTERSHIP_SECRET"]

ACKS = {
    "kuaidi100": {"result": True, "returnCode": "200", "message": "提交成功"},
    "sf": {"return_code": "0000", "return_msg": "成功"},
    "zto": {"status": True, "message": "success", "result": "success"},
    "aftership": {"ok": True},
}


@pytest.fixture(scope="module")
def receiver(module_db_url: str) -> Iterator[Receiver]:
    with running_receiver(
        module_db_url, extra_env={"ORDERSIGHT_MAX_PUSH_BYTES": "65536"}
    ) as running:
        yield running


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as http:
        yield http


def waybill() -> str:
    return "T" + uuid.uuid4().hex[:12].upper()


def post(client: httpx.Client, receiver: Receiver, push: Push) -> httpx.Response:
    return client.post(receiver.base_url + push.path, content=push.body, headers=push.headers)


def one(url: str, sql: str, *params: object) -> object:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchone()[0]


def rows(url: str, sql: str, *params: object) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def valid_push(channel: str, number: str) -> Push:
    scan = Scan(number, "2026-12-01 10:00:00", "", "快件已揽收", "杭州", uuid.uuid4().hex)
    if channel == "kuaidi100":
        return pushes.kuaidi100(SALT, number, "zhongtong", "1", [replace(scan, code="1")])
    if channel == "sf":
        return pushes.sf_json(SF_TOKEN, [replace(scan, code="50")])
    if channel == "zto":
        return pushes.zto(ZTO_KEY, [replace(scan, code="GOT")], company_id=ZTO_COMPANY)
    return pushes.aftership(
        AFTERSHIP_SECRET, number, "sf-express", "InTransit", [replace(scan, code="InTransit_002")]
    )


def forged(channel: str, push: Push) -> Push:
    """The same push with its proof broken the way a forger would break it."""
    if channel == "sf":
        return Push(push.channel, "/push/sf/guessed-token", push.body, push.headers)
    if channel == "aftership":
        return Push(
            push.channel, push.path, push.body, {**push.headers, "aftership-hmac-sha256": "AAAA"}
        )
    key = "sign" if channel == "kuaidi100" else "data_digest"
    fields = dict(pair.split("=", 1) for pair in push.body.decode().split("&"))
    fields[key] = "0" * 32
    return Push(
        push.channel,
        push.path,
        "&".join(f"{k}={v}" for k, v in fields.items()).encode(),
        push.headers,
    )


@pytest.mark.parametrize("channel", ["kuaidi100", "sf", "zto", "aftership"])
def test_each_courier_is_authenticated_and_acknowledged_as_it_expects(
    receiver: Receiver, client: httpx.Client, module_db_url: str, channel: str
) -> None:
    number = waybill()
    push = valid_push(channel, number)
    rejections_before = one(
        module_db_url, "select count(*) from raw.courier_rejections where channel = %s", channel
    )

    forged_reply = post(client, receiver, forged(channel, push))
    assert forged_reply.status_code == 401
    assert (
        one(module_db_url, "select count(*) from tracking.events where waybill_no = %s", number)
        == 0
    )
    assert (
        one(
            module_db_url, "select count(*) from raw.courier_rejections where channel = %s", channel
        )
        == rejections_before + 1
    )

    reply = post(client, receiver, push)
    assert reply.status_code == 200
    assert reply.json() == ACKS[channel]
    stored = rows(
        module_db_url,
        "select p.body, e.channel, e.trust from tracking.events e "
        "join raw.courier_pushes p using (push_id) "
        "where e.waybill_no = %s",
        number,
    )
    assert [(bytes(body), event_channel) for body, event_channel, _ in stored] == [
        (push.body, channel)
    ]
    assert stored[0][2] == ("green" if channel in ("sf", "zto") else "yellow")


def test_sf_xml_form_and_json_pushes_read_the_same_routes(
    receiver: Receiver, client: httpx.Client, module_db_url: str
) -> None:
    first, second = waybill(), waybill()
    scans = [
        Scan(first, "2026-12-01 09:00:00", "50", "顺丰速运 已收取快件", "深圳", "r-" + first),
        Scan(
            second,
            "2026-12-01 09:05:00",
            "30",
            "快件到达 【深圳宝安中转场】",
            "深圳",
            "r-" + second,
        ),
        Scan(first, "2026-12-02 15:30:00", "80", "已签收，感谢使用顺丰", "上海", "r2-" + first),
    ]
    assert post(client, receiver, pushes.sf_xml_form(SF_TOKEN, scans[:2])).status_code == 200
    assert post(client, receiver, pushes.sf_json(SF_TOKEN, scans[2:])).status_code == 200
    stored = rows(
        module_db_url,
        "select waybill_no, native_code, event_at at time zone 'UTC', location "
        "from tracking.events "
        "where waybill_no in (%s, %s) order by event_at",
        first,
        second,
    )
    assert [(w, code, str(at), place) for w, code, at, place in stored] == [
        (first, "50", "2026-12-01 01:00:00", "深圳"),
        (second, "30", "2026-12-01 01:05:00", "深圳"),
        (first, "80", "2026-12-02 07:30:00", "上海"),
    ]


def test_kuaidi100_sub_states_are_kept_with_their_main_state(
    receiver: Receiver, client: httpx.Client, module_db_url: str
) -> None:
    number = waybill()
    scans = [
        Scan(number, "2026-12-01 08:00:00", "1", "【杭州】已揽收"),
        Scan(number, "2026-12-02 11:00:00", "304", "已签收，快件已放入丰巢快递柜"),
    ]
    assert (
        post(client, receiver, pushes.kuaidi100(SALT, number, "shunfeng", "304", scans)).status_code
        == 200
    )
    stored = rows(
        module_db_url,
        "select carrier, native_code, native_main from tracking.events "
        "where waybill_no = %s order by event_at",
        number,
    )
    assert stored == [("SF", "1", "1"), ("SF", "304", "3")]


def test_a_push_delivered_again_is_acknowledged_and_kept_once(
    receiver: Receiver, client: httpx.Client, module_db_url: str
) -> None:
    number = waybill()
    first = [Scan(number, "2026-12-01 08:00:00", "1", "已揽收")]
    later = [*first, Scan(number, "2026-12-01 20:00:00", "0", "运输中")]
    push = pushes.kuaidi100(SALT, number, "zhongtong", "1", first)
    assert [post(client, receiver, push).status_code for _ in range(3)] == [200, 200, 200]
    # Kuaidi100 sends the whole track every time: the first scan again, plus the new one.
    assert (
        post(client, receiver, pushes.kuaidi100(SALT, number, "zhongtong", "0", later)).status_code
        == 200
    )
    assert (
        one(
            module_db_url,
            "select count(*) from raw.courier_pushes p where convert_from(body, 'UTF8') like %s",
            f"%{number}%",
        )
        == 4
    )
    assert (
        one(module_db_url, "select count(*) from tracking.events where waybill_no = %s", number)
        == 2
    )


def test_a_push_of_mixed_waybills_is_split_per_waybill(
    receiver: Receiver, client: httpx.Client, module_db_url: str
) -> None:
    numbers = [waybill() for _ in range(3)]
    scans = [
        Scan(
            numbers[index % 3],
            f"2026-12-01 1{index}:00:00",
            "30",
            "到达中转场",
            event_id=uuid.uuid4().hex,
        )
        for index in range(9)
    ]
    assert post(client, receiver, pushes.sf_json(SF_TOKEN, scans)).status_code == 200
    per_waybill = rows(
        module_db_url,
        "select waybill_no, count(*) from tracking.events "
        "where waybill_no = any(%s) group by 1 order by 1",
        numbers,
    )
    assert per_waybill == [(number, 3) for number in sorted(numbers)]


@pytest.mark.parametrize(
    ("channel", "body", "reason"),
    [
        (
            "sf",
            b'{"Body": {"WaybillRoute": [{"mailno": "SF1", "acceptTime": "2026-12-01 10:00:00"}]}}',
            "missing field: WaybillRoute.opCode",
        ),
        ("sf", b"content=%3CRequest%3E%3CBody%3E%3CWaybillRoute", "sf: content is not XML"),
        (
            "sf",
            b'{"Body": {"WaybillRoute": [{"id": "1", "mailno": "SF1", "opCode": "50", '
            b'"acceptTime": "yesterday"}]}}',
            "unparseable time",
        ),
        ("aftership", b"not json at all", "aftership: body is not JSON"),
    ],
)
def test_an_unreadable_push_is_refused_with_its_reason_and_quarantined(
    receiver: Receiver,
    client: httpx.Client,
    module_db_url: str,
    channel: str,
    body: bytes,
    reason: str,
) -> None:
    content_type = (
        "application/x-www-form-urlencoded" if body.startswith(b"content=") else "application/json"
    )
    headers = {"content-type": content_type}
    path = f"/push/sf/{SF_TOKEN}"
    if channel == "aftership":
        headers["aftership-hmac-sha256"] = aftership_signature(body, AFTERSHIP_SECRET)
        path = "/push/aftership"
    reply = client.post(receiver.base_url + path, content=body, headers=headers)
    assert reply.status_code == 400
    assert reason in reply.json()["reason"]
    kept = rows(
        module_db_url,
        "select body, reason from raw.courier_quarantine where channel = %s "
        "order by quarantine_id desc limit 1",
        channel,
    )
    assert bytes(kept[0][0]) == body
    assert reason in kept[0][1]


def test_a_push_the_database_refuses_is_quarantined_not_lost(
    receiver: Receiver, client: httpx.Client, module_db_url: str
) -> None:
    """A NUL character parses as JSON but no Postgres text or jsonb column takes it."""
    number = waybill()
    push = pushes.aftership(
        AFTERSHIP_SECRET,
        number,
        "sf-express",
        "InTransit",
        [Scan(number, "2026-12-01 10:00:00", "InTransit_002", "到达\u0000杭州")],
    )
    assert b"\\u0000" in push.body  # json.dumps writes the NUL as an escape, still valid JSON
    reply = post(client, receiver, push)
    assert reply.status_code == 400
    assert reply.json()["reason"].startswith("database refused a value")
    kept = rows(
        module_db_url,
        "select body, reason from raw.courier_quarantine where channel = 'aftership' "
        "order by quarantine_id desc limit 1",
    )
    assert bytes(kept[0][0]) == push.body
    assert (
        one(module_db_url, "select count(*) from tracking.events where waybill_no = %s", number)
        == 0
    )
    assert post(client, receiver, valid_push("aftership", waybill())).status_code == 200


def test_an_oversized_push_is_refused_and_the_receiver_keeps_serving(
    receiver: Receiver, client: httpx.Client
) -> None:
    number = waybill()
    huge = [
        Scan(number, "2026-12-01 10:00:00", "30", "到达" * 200, event_id=str(index))
        for index in range(100)
    ]
    assert post(client, receiver, pushes.sf_json(SF_TOKEN, huge)).status_code == 413
    assert post(client, receiver, pushes.sf_json(SF_TOKEN, huge[:1])).status_code == 200
    assert client.get(receiver.base_url + "/health").json() == {"status": "ok", "database": True}


def test_logs_are_structured_and_carry_no_secret(receiver: Receiver, client: httpx.Client) -> None:
    post(client, receiver, forged("sf", valid_push("sf", waybill())))
    post(client, receiver, valid_push("sf", waybill()))
    output = receiver.output()
    for secret in SECRETS.values():
        assert secret not in output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert {"event": "push", "channel": "sf", "status": 401} in [
        {key: line[key] for key in ("event", "channel", "status")} for line in lines
    ]


def test_kuaidi100_sender_stops_after_three_retries_thirty_minutes_apart(
    receiver: Receiver, client: httpx.Client
) -> None:
    waits: list[float] = []
    bad = Push(
        "kuaidi100",
        "/push/kuaidi100",
        urlencode({"param": "{}", "sign": "x"}).encode(),
        {"content-type": pushes.FORM},
    )
    delivery = deliver(client, receiver.base_url, bad, sleep=waits.append)
    assert delivery.statuses == [401, 401, 401, 401]
    assert waits == [1800, 1800, 1800]
    assert delivery.dropped
