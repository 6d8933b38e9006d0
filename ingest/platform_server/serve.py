"""Running the local platform server under uvicorn on 127.0.0.1, in a thread of its own."""

from __future__ import annotations

import socket
import threading
import time
from typing import Self
from urllib.parse import urlsplit

import uvicorn

from ingest.platform_server.app import build_app
from ingest.platform_server.state import ServerState
from ingest.platforms.registry import CONNECTORS


def local_base_url(origin: str, platform: str) -> str:
    """A shop's BASE_URL on the local server: its platform's gateway path under `origin`."""
    return origin + urlsplit(CONNECTORS[platform].default_base_url).path


class LocalPlatformServer:
    """uvicorn serving `build_app(state)` on a free port; use as a context manager."""

    def __init__(self, state: ServerState, port: int = 0) -> None:
        self.state = state
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        config = uvicorn.Config(
            build_app(state), log_level="warning", lifespan="off", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def origin(self) -> str:
        host, port = self._socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> Self:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the local platform server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.state.release.set()
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
