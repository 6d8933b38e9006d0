"""End to end: `ordersight dev` serves the Dagster UI, whose asset graph is grouped by layer."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e

ORDERSIGHT = str(Path(sys.executable).with_name("ordersight"))
ASSET_GROUPS = "{ assetNodes { groupName assetKey { path } } }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_dev_serves_the_asset_graph_grouped_by_layer(tmp_path: Path) -> None:
    home = tmp_path / "state"
    env = {
        k: v for k, v in os.environ.items() if k not in {"ORDERSIGHT_DATABASE_URL", "DAGSTER_HOME"}
    }
    env["ORDERSIGHT_HOME"] = str(home)
    port = free_port()
    log = (tmp_path / "dev.log").open("w")
    ui = subprocess.Popen(
        [ORDERSIGHT, "dev", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert ui.poll() is None, (tmp_path / "dev.log").read_text()[-3000:]
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{port}/graphql", json={"query": ASSET_GROUPS}, timeout=10
                )
                if response.status_code == 200 and "data" in response.json():
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "dev.log").read_text()[-3000:]
            time.sleep(1)
        nodes = response.json()["data"]["assetNodes"]
        groups = {node["assetKey"]["path"][0]: set() for node in nodes}
        for node in nodes:
            groups[node["assetKey"]["path"][0]].add(node["groupName"])
        assert {"raw", "staging", "keys", "intermediate", "marts", "reports"} <= set(groups)
        assert all(names == {layer} for layer, names in groups.items()), groups
        assert (home / "dagster" / "dagster.yaml").exists(), "the instance is ordersight's own"
    finally:
        os.killpg(ui.pid, signal.SIGKILL)
        ui.wait(timeout=30)
        log.close()
        subprocess.run(
            [ORDERSIGHT, "db", "stop"], env=env, capture_output=True, timeout=60, check=False
        )
