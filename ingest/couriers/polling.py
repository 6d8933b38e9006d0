"""Polling small carriers' query APIs (宅急送, 速尔: no push, and aggregators miss them).

The query-API shape (ZTO-style, docs/tracking.md): `POST {base}/track/query` with JSON
`{"billCodes": [...]}` (at most `MAX_WAYBILLS_PER_QUERY`), headers `x-appkey` and
`x-datadigest = base64(md5(body + secret))`; the answer `{"status": true, "result": [{"billCode",
"traces": [{"scanType", "scanDate", "desc", "scanSite"}]}]}`. A 429 is waited out
(`Retry-After`). Each answer is stored as it came in `raw.courier_pushes` and its traces in
`tracking.events`, exactly like a push.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import httpx
import psycopg

from domain.couriers import CHANNELS_BY_NAME, POLL
from ingest import exact_json
from ingest.couriers.events import (
    CourierEvent,
    Malformed,
    ParsedPush,
    content_key,
    optional_text,
    parse_local_time,
    required_text,
)
from ingest.couriers.store import PushMeta, quarantine, store_push

MAX_WAYBILLS_PER_QUERY = 10
REQUEST_TIMEOUT_SECONDS = 10.0
MAX_RATE_LIMIT_WAITS = 5


def query_digest(body: bytes, secret: str) -> str:
    digest = hashlib.md5(body + secret.encode("utf-8"), usedforsecurity=False).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class QueryApi:
    """One carrier's query API: which channel it feeds, where it is, its credentials."""

    channel: str
    base_url: str
    app_key: str
    secret: str

    def __post_init__(self) -> None:
        if CHANNELS_BY_NAME[self.channel].kind != POLL:
            raise ValueError(f"{self.channel} is not a polled channel")

    def __repr__(self) -> str:
        return f"QueryApi(channel={self.channel!r}, base_url={self.base_url!r})"


@dataclass
class PollResult:
    queries: int = 0
    events_new: int = 0
    quarantined: int = 0
    rate_limited: int = 0


def parse_answer(channel: str, body: bytes) -> ParsedPush:
    """The traces of one query answer as events of `channel`."""
    carrier = CHANNELS_BY_NAME[channel].carrier or channel.upper()
    try:
        document = exact_json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise Malformed(f"{channel}: answer is not JSON: {error}") from error
    if not isinstance(document, dict) or document.get("status") is not True:
        raise Malformed(f"{channel}: answer without status true")
    results = document.get("result")
    if not isinstance(results, list):
        raise Malformed(f"{channel}: missing field: result")
    events = []
    for result in results:
        if not isinstance(result, dict):
            raise Malformed(f"{channel}: a result is not an object")
        waybill = required_text(result, "billCode", "result")
        for trace in result.get("traces") or []:
            if not isinstance(trace, dict):
                raise Malformed(f"{channel}: a trace is not an object")
            scan_type = required_text(trace, "scanType", "traces[]")
            time_text = required_text(trace, "scanDate", "traces[]")
            description = optional_text(trace, "desc") or ""
            events.append(
                CourierEvent(
                    channel=channel,
                    carrier=carrier,
                    waybill_no=waybill,
                    event_key=content_key(waybill, time_text, scan_type, description),
                    native_code=scan_type,
                    native_main=scan_type,
                    event_at=parse_local_time(time_text),
                    time_text=time_text,
                    description=description,
                    location=optional_text(trace, "scanSite"),
                    detail=exact_json.dumps(trace),
                )
            )
    return ParsedPush(events=events, note="poll")


def poll(
    conn: psycopg.Connection,
    client: httpx.Client,
    api: QueryApi,
    waybills: Iterable[str],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> PollResult:
    """Ask `api` about `waybills` in batches; store every answer before reading the next."""
    result = PollResult()
    pending = sorted(set(waybills))
    for start in range(0, len(pending), MAX_WAYBILLS_PER_QUERY):
        request = json.dumps(
            {"billCodes": pending[start : start + MAX_WAYBILLS_PER_QUERY]}
        ).encode()
        body = _ask(client, api, request, sleep, result)
        meta = PushMeta(api.channel, "application/json", {"x-poll-request": request.decode()}, None)
        result.queries += 1
        try:
            parsed = parse_answer(api.channel, body)
        except Malformed as error:
            quarantine(conn, meta, body, str(error))
            result.quarantined += 1
            continue
        result.events_new += store_push(conn, meta, body, parsed).new_events
    return result


def _ask(
    client: httpx.Client,
    api: QueryApi,
    request: bytes,
    sleep: Callable[[float], None],
    result: PollResult,
) -> bytes:
    headers = {
        "content-type": "application/json",
        "x-appkey": api.app_key,
        "x-datadigest": query_digest(request, api.secret),
    }
    for _ in range(MAX_RATE_LIMIT_WAITS):
        response = client.post(
            api.base_url + "/track/query",
            content=request,
            headers=headers,
            timeout=REQUEST_TIMEOUT_SECONDS,
        )
        if response.status_code != 429:
            response.raise_for_status()
            return response.content
        result.rate_limited += 1
        sleep(float(response.headers.get("retry-after", "1")))
    raise RuntimeError(f"{api.channel}: still rate limited after {MAX_RATE_LIMIT_WAITS} waits")
