"""A small carrier's tracking query API on 127.0.0.1, checking what the real one checks.

App key and `x-datadigest` (base64 md5 of body + secret) or 401; at most 10 waybills per query
or 400; the first `rate_limit_first` queries answered 429 with `Retry-After`.
"""

from __future__ import annotations

import json

from ingest.couriers.polling import MAX_WAYBILLS_PER_QUERY, query_digest
from tests.fakes.http_fake import FakeHttpServer, Reply


class CourierQueryApi(FakeHttpServer):
    def __init__(
        self, app_key: str, secret: str, traces: dict[str, list[dict]], rate_limit_first: int = 0
    ) -> None:
        super().__init__()
        self.app_key = app_key
        self.secret = secret
        self.traces = traces
        self.rate_limit_left = rate_limit_first
        self.queries: list[list[str]] = []

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        if method != "POST" or path != "/track/query":
            return 404, {}, b""
        if headers.get("x-appkey") != self.app_key or headers.get("x-datadigest") != query_digest(
            body, self.secret
        ):
            return (
                401,
                {"content-type": "application/json"},
                b'{"status":false,"message":"sign error"}',
            )
        with self.lock:
            if self.rate_limit_left:
                self.rate_limit_left -= 1
                return 429, {"retry-after": "0.1"}, b""
        bills = json.loads(body)["billCodes"]
        if len(bills) > MAX_WAYBILLS_PER_QUERY:
            return 400, {}, b'{"status":false,"message":"too many billCodes"}'
        self.queries.append(bills)
        result = [{"billCode": bill, "traces": self.traces.get(bill, [])} for bill in bills]
        answer = json.dumps({"status": True, "message": "", "result": result}, ensure_ascii=False)
        return 200, {"content-type": "application/json"}, answer.encode("utf-8")
