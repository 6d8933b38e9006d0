"""The receiver: one ASGI app taking every courier's pushes, storing each before acknowledging.

Per channel: authenticate (401 and a counted rejection when it fails), read the body (400 and
the body quarantined with the reason when it cannot be read, or when the database refuses one
of its values), store push and events in one transaction, then answer the acknowledgement that
courier expects. When the database cannot take the push the answer is 503 with the courier's
failure body, so the courier retries.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import psycopg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ingest.couriers import aftership, kuaidi100, sf, zto
from ingest.couriers.auth import same
from ingest.couriers.config import CourierSecrets, secrets_from_environment
from ingest.couriers.events import Malformed, ParsedPush, Unauthorised
from ingest.couriers.store import (
    PushMeta,
    count_rejection_async,
    ensure_tracking_schema,
    ensure_tracking_schema_async,
    quarantine_async,
    store_push_async,
)
from ingest.service.pool import ConnectionPool
from plumbing.database import database_url

log = logging.getLogger("ordersight.receiver")

KEPT_HEADERS = ("content-type", "user-agent", "as-webhook-version", "x-request-id")
STORAGE_ERRORS = (psycopg.OperationalError, psycopg.InterfaceError, OSError)


class TooLarge(Exception):
    pass


@dataclass(frozen=True)
class ChannelEndpoint:
    """How one channel's pushes are read, and what its courier expects back."""

    channel: str
    ack: dict
    nack: dict
    read: Callable[[bytes, Request, CourierSecrets], ParsedPush]


def _read_kuaidi100(body: bytes, request: Request, secrets: CourierSecrets) -> ParsedPush:
    return kuaidi100.parse(kuaidi100.authenticate(body, secrets.kuaidi100_salt or ""))


def _read_sf(body: bytes, request: Request, secrets: CourierSecrets) -> ParsedPush:
    if not same(request.path_params.get("token", ""), secrets.sf_push_token or ""):
        raise Unauthorised("sf: callback token does not match")
    return sf.parse(body, request.headers.get("content-type", ""))


def _read_zto(body: bytes, request: Request, secrets: CourierSecrets) -> ParsedPush:
    data = zto.authenticate(body, secrets.zto_key or "", secrets.zto_format, secrets.zto_company_id)
    return zto.parse(data)


def _read_aftership(body: bytes, request: Request, secrets: CourierSecrets) -> ParsedPush:
    aftership.authenticate(
        body, request.headers.get(aftership.SIGNATURE_HEADER), secrets.aftership_secret or ""
    )
    return aftership.parse(body)


ENDPOINTS = {
    "kuaidi100": ChannelEndpoint("kuaidi100", kuaidi100.ACK, kuaidi100.NACK, _read_kuaidi100),
    "sf": ChannelEndpoint("sf", sf.ACK, sf.NACK, _read_sf),
    "zto": ChannelEndpoint("zto", zto.ACK, zto.NACK, _read_zto),
    "aftership": ChannelEndpoint("aftership", aftership.ACK, aftership.NACK, _read_aftership),
}


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _log(**fields: object) -> None:
    log.info(json.dumps(fields, ensure_ascii=False, default=str))


class Receiver:
    """The app's state: secrets, the pool, and per-outcome counters of this worker."""

    def __init__(self, url: str, secrets: CourierSecrets, pool_size: int) -> None:
        self.url = url
        self.secrets = secrets
        self.pool = ConnectionPool(url, pool_size)
        self.counts: Counter[str] = Counter()
        self.schema_ready = False

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection]:
        """A pooled connection, the courier tables created first if this worker has not yet."""
        async with self.pool.connection() as conn:
            if not self.schema_ready:
                await ensure_tracking_schema_async(conn)
                self.schema_ready = True
            yield conn

    async def push(self, request: Request, endpoint: ChannelEndpoint) -> Response:
        started = time.perf_counter()
        status, reason, stored = await self._push(request, endpoint)
        self.counts[f"{endpoint.channel}:{status}"] += 1
        _log(
            event="push",
            channel=endpoint.channel,
            status=status,
            reason=reason,
            new_events=stored,
            ms=round((time.perf_counter() - started) * 1000, 2),
        )
        if status == 200:
            return JSONResponse(endpoint.ack)
        body = dict(endpoint.nack)
        if reason:
            body["reason"] = reason
        return JSONResponse(body, status_code=status)

    async def _push(
        self, request: Request, endpoint: ChannelEndpoint
    ) -> tuple[int, str | None, int]:
        if not self.secrets.has(endpoint.channel):
            return 503, f"{endpoint.channel} is not configured", 0
        meta = PushMeta(
            channel=endpoint.channel,
            content_type=request.headers.get("content-type"),
            headers={
                name: request.headers[name] for name in KEPT_HEADERS if name in request.headers
            },
            remote_addr=request.client.host if request.client else None,
        )
        try:
            body = await _read_body(request, self.secrets.max_push_bytes)
        except TooLarge:
            return 413, f"body larger than {self.secrets.max_push_bytes} bytes", 0
        try:
            parsed = endpoint.read(body, request, self.secrets)
        except Unauthorised as error:
            await self._count_rejection(meta, str(error), len(body))
            return 401, "unauthorised", 0
        except Malformed as error:
            return await self._quarantine(meta, body, str(error))
        except Exception as error:  # a parser bug must not lose the push: quarantine it
            log.exception("parser failed on a %s push", endpoint.channel)
            return await self._quarantine(
                meta, body, f"parser error: {type(error).__name__}: {error}"
            )
        try:
            async with self.connection() as conn:
                stored = await store_push_async(conn, meta, body, parsed)
        except STORAGE_ERRORS as error:
            log.warning(
                "push not stored (%s); answering 503 so %s retries",
                type(error).__name__,
                endpoint.channel,
            )
            return 503, "storage unavailable", 0
        except psycopg.DataError as error:  # Postgres refuses a value (a NUL in a text): keep it
            return await self._quarantine(meta, body, f"database refused a value: {error}")
        return 200, None, stored.new_events

    async def _quarantine(
        self, meta: PushMeta, body: bytes, reason: str
    ) -> tuple[int, str | None, int]:
        try:
            async with self.connection() as conn:
                await quarantine_async(conn, meta, body, reason)
        except STORAGE_ERRORS:
            return 503, "storage unavailable", 0
        return 400, reason, 0

    async def _count_rejection(self, meta: PushMeta, reason: str, size: int) -> None:
        try:
            async with self.connection() as conn:
                await count_rejection_async(conn, meta, reason, size)
        except STORAGE_ERRORS:
            log.warning("a rejected %s push could not be counted in the database", meta.channel)

    async def health(self, request: Request) -> Response:
        try:
            async with self.pool.connection() as conn:
                await conn.execute("select 1")
        except STORAGE_ERRORS:
            return JSONResponse({"status": "degraded", "database": False}, status_code=503)
        return JSONResponse({"status": "ok", "database": True})

    async def metrics(self, request: Request) -> Response:
        return JSONResponse(dict(sorted(self.counts.items())))


def create_app(
    url: str | None = None, secrets: CourierSecrets | None = None, pool_size: int = 8
) -> Starlette:
    """The receiver app for the warehouse at `url` (the configured one when None)."""
    receiver = Receiver(url or database_url(), secrets or secrets_from_environment(), pool_size)

    def push_route(path: str, channel: str) -> Route:
        endpoint = ENDPOINTS[channel]

        async def handle(request: Request) -> Response:
            return await receiver.push(request, endpoint)

        return Route(path, handle, methods=["POST"], name=f"push_{channel}")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # A worker (re)started while the database is down still comes up: it answers 503 and
        # creates the tables on its first push instead (uvicorn stops every worker when one
        # fails to start).
        try:
            with psycopg.connect(receiver.url, connect_timeout=10) as conn:
                ensure_tracking_schema(conn)
            receiver.schema_ready = True
        except STORAGE_ERRORS as error:
            log.warning(
                "database not reachable at start (%s); serving 503 until it is",
                type(error).__name__,
            )
        yield
        await receiver.pool.close()

    app = Starlette(
        routes=[
            push_route("/push/kuaidi100", "kuaidi100"),
            push_route("/push/sf/{token}", "sf"),
            push_route("/push/zto", "zto"),
            push_route("/push/aftership", "aftership"),
            Route("/health", receiver.health, methods=["GET"]),
            Route("/metrics", receiver.metrics, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.receiver = receiver
    return app
