"""The receiver as production runs it: `ordersight serve` (uvicorn, workers) on a free port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ORDERSIGHT = str(Path(sys.executable).with_name("ordersight"))

SECRETS = {
    "ORDERSIGHT_KUAIDI100_SALT": "k100-salt-for-tests",
    "ORDERSIGHT_SF_PUSH_TOKEN": "sf-callback-token-for-tests",
    "ORDERSIGHT_ZTO_KEY": "zto-key-for-tests",
    "ORDERSIGHT_ZTO_COMPANY_ID": "ZTO-CO-1",
    "ORDERSIGHT_AFTERSHIP_SECRET": "aftership-secret-for-tests",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Receiver:
    def __init__(self, process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
        self.process = process
        self.base_url = base_url
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def running_receiver(
    database_url: str,
    *,
    workers: int = 2,
    extra_env: dict[str, str] | None = None,
    ready_status: int = 200,
) -> Iterator[Receiver]:
    """Start `ordersight serve`, wait until /health answers `ready_status`, stop it afterwards."""
    port = free_port()
    env = {**os.environ, **SECRETS, "ORDERSIGHT_DATABASE_URL": database_url, **(extra_env or {})}
    log = Path(tempfile.mkstemp(prefix="receiver-", suffix=".log")[1])
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [ORDERSIGHT, "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    receiver = Receiver(process, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"receiver exited: {receiver.output()}")
            try:
                health = httpx.get(receiver.base_url + "/health", timeout=5)
                if health.status_code == ready_status:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"receiver did not come up: {receiver.output()}")
            time.sleep(0.2)
        yield receiver
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
