"""A small pool of async Postgres connections for one receiver worker.

A connection that fails is thrown away, so the next request connects afresh: after the
database comes back the receiver recovers by itself, without a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg

CONNECT_TIMEOUT_SECONDS = 3


class ConnectionPool:
    """At most `size` connections to `url`, opened on demand."""

    def __init__(self, url: str, size: int = 8) -> None:
        self._url = url
        self._slots = asyncio.Semaphore(size)
        self._idle: list[psycopg.AsyncConnection] = []

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection]:
        async with self._slots:
            conn = self._idle.pop() if self._idle else None
            if conn is None or conn.closed:
                conn = await psycopg.AsyncConnection.connect(
                    self._url, connect_timeout=CONNECT_TIMEOUT_SECONDS, autocommit=True
                )
            try:
                yield conn
            except (psycopg.OperationalError, psycopg.InterfaceError):
                await conn.close()
                raise
            if conn.closed or conn.broken:
                await conn.close()
            else:
                self._idle.append(conn)

    async def close(self) -> None:
        while self._idle:
            await self._idle.pop().close()
