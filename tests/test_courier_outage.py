"""The database stopped while couriers push: nothing acknowledged is lost, the receiver recovers.

The server here is the test's own (durable settings, not the session's fast one), because
the test stops it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from ingest.courier_simulator import pushes
from ingest.courier_simulator.pushes import Scan
from ingest.courier_simulator.sender import Delivery, deliver
from plumbing.database import create_database
from plumbing.private_postgres import PrivatePostgres
from tests.receiver_process import SECRETS, running_receiver

PUSHES = 240
# Kuaidi100 waits 30 minutes between retries; here one second stands for it.
WAIT_SCALE = 1 / 1800


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePostgres]:
    server = PrivatePostgres(home=Path(tmp_path_factory.mktemp("outage-pg")))
    server.start()
    yield server
    server.stop()


@pytest.mark.integration
def test_no_acknowledged_push_is_lost_when_the_database_stops_mid_stream(
    own_server: PrivatePostgres,
) -> None:
    url = create_database(own_server.url(), "outage")
    deliveries: list[Delivery] = []
    with running_receiver(url) as receiver, httpx.Client(timeout=10) as client:

        def send() -> None:
            for index in range(PUSHES):
                scan = Scan(f"K{index:08d}", "2026-12-01 10:00:00", "0", f"运输中 {index}")
                push = pushes.kuaidi100(
                    SECRETS["ORDERSIGHT_KUAIDI100_SALT"], scan.waybill_no, "yunda", "0", [scan]
                )
                deliveries.append(deliver(client, receiver.base_url, push, wait_scale=WAIT_SCALE))
                time.sleep(0.01)

        sender = threading.Thread(target=send)
        sender.start()
        while len(deliveries) < PUSHES // 4:
            time.sleep(0.05)
        own_server.stop()
        time.sleep(2)
        own_server.start()
        sender.join(timeout=300)
        health = client.get(receiver.base_url + "/health").json()

    acknowledged = {d.push.body for d in deliveries if d.acknowledged}
    with psycopg.connect(url) as conn:
        stored = {bytes(body) for (body,) in conn.execute("select body from raw.courier_pushes")}
        events = conn.execute("select count(distinct waybill_no) from tracking.events").fetchone()[
            0
        ]
    refused_while_down = [d for d in deliveries if any(status != 200 for status in d.statuses)]
    assert len(deliveries) == PUSHES
    assert refused_while_down, "the outage should have been seen by some pushes"
    assert all(status in (200, 503, 0) for d in deliveries for status in d.statuses)
    assert acknowledged <= stored
    assert events >= len(acknowledged)
    assert deliveries[-1].acknowledged, "the receiver recovers without a restart"
    assert health == {"status": "ok", "database": True}


@pytest.mark.integration
def test_a_receiver_started_while_the_database_is_down_comes_up_and_recovers(
    own_server: PrivatePostgres,
) -> None:
    """uvicorn stops all workers when one fails to start: one restarted mid-outage must not fail."""
    url = create_database(own_server.url(), "coldstart")
    scan = Scan("K00000001", "2026-12-01 10:00:00", "0", "运输中")
    push = pushes.kuaidi100(
        SECRETS["ORDERSIGHT_KUAIDI100_SALT"], scan.waybill_no, "yunda", "0", [scan]
    )
    own_server.stop()
    try:
        with (
            running_receiver(url, workers=1, ready_status=503) as receiver,
            httpx.Client(timeout=10) as client,
        ):

            def send() -> httpx.Response:
                return client.post(
                    receiver.base_url + push.path, content=push.body, headers=push.headers
                )

            assert send().status_code == 503
            own_server.start()
            assert send().status_code == 200
            assert client.get(receiver.base_url + "/health").status_code == 200
    finally:
        own_server.start()
    with psycopg.connect(url) as conn:
        assert conn.execute("select count(*) from tracking.events").fetchone()[0] == 1
