"""A fake Feishu/Lark custom bot: checks what the real webhook checks, records what it accepts.

Checks, in order: the hook path and token (19001), a JSON Content-Type, body ≤ 20 KB
(9499 "request body too large"), valid JSON (9499), the bot's rate limits — 5 requests per
second and 100 per minute, sliding windows on arrival time (11232) —, then any injected
fault, then the signature (`timestamp` within one hour of the real clock, `sign` equal to
base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b""))) (19021), then `msg_type` and
the content's shape: for cards, a header title and template and elements whose tags and
text objects are well-formed (19002).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.http_fake import FakeHttpServer, Reply

HOOK_PREFIX = "/open-apis/bot/v2/hook/"
MAX_BODY_BYTES = 20 * 1024
MAX_CLOCK_SKEW = 3600

CODE_OK = 0
CODE_BAD_REQUEST = 9499
CODE_THROTTLED = 11232
CODE_BAD_TOKEN = 19001
CODE_BAD_PARAMS = 19002
CODE_BAD_SIGNATURE = 19021

TEXT_TAGS = {"plain_text", "lark_md"}
ELEMENT_TAGS = {"div", "hr", "action", "note", "markdown", "img", "column_set"}
TEMPLATES = {
    "blue", "wathet", "turquoise", "green", "yellow", "orange", "red",
    "carmine", "violet", "purple", "indigo", "grey", "default",
}  # fmt: skip
FAULTS = {"throttle", "server_error", "bad_sign"}


def _json_reply(code: int, msg: str, status: int = 200) -> Reply:
    body: dict[str, Any] = {"code": code, "msg": msg, "data": {}}
    if code == CODE_OK:
        body.update(StatusCode=0, StatusMessage="success")
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


def _text_problem(obj: Any, where: str) -> str | None:
    if not isinstance(obj, dict) or obj.get("tag") not in TEXT_TAGS:
        return f"{where}: text object needs tag plain_text or lark_md"
    if not isinstance(obj.get("content"), str):
        return f"{where}: text content must be a string"
    return None


def _element_problem(element: Any, where: str) -> str | None:
    if not isinstance(element, dict) or element.get("tag") not in ELEMENT_TAGS:
        return f"{where}: unknown element tag"
    tag = element["tag"]
    if tag == "div":
        if "text" not in element and "fields" not in element:
            return f"{where}: div needs text or fields"
        if "text" in element and (problem := _text_problem(element["text"], where)):
            return problem
        fields = element.get("fields", [])
        if not isinstance(fields, list):
            return f"{where}: fields must be a list"
        for i, item in enumerate(fields):
            if not isinstance(item, dict):
                return f"{where}.fields[{i}]: must be an object"
            if problem := _text_problem(item.get("text"), f"{where}.fields[{i}]"):
                return problem
    elif tag == "markdown" and not isinstance(element.get("content"), str):
        return f"{where}: markdown needs content"
    elif tag == "action":
        actions = element.get("actions")
        if not isinstance(actions, list) or not actions:
            return f"{where}: action needs actions"
        for i, button in enumerate(actions):
            if not isinstance(button, dict) or button.get("tag") != "button":
                return f"{where}.actions[{i}]: only buttons are supported here"
            if problem := _text_problem(button.get("text"), f"{where}.actions[{i}]"):
                return problem
            url = button.get("url")
            if url is not None and not str(url).startswith(("http://", "https://")):
                return f"{where}.actions[{i}]: url must be http(s)"
    elif tag == "note":
        items = element.get("elements")
        if not isinstance(items, list) or not items:
            return f"{where}: note needs elements"
        for i, item in enumerate(items):
            if problem := _text_problem(item, f"{where}.elements[{i}]"):
                return problem
    return None


def card_problem(card: Any) -> str | None:
    """What is wrong with an interactive card, or None."""
    if not isinstance(card, dict):
        return "card must be an object"
    header = card.get("header")
    if header is not None:
        if not isinstance(header, dict):
            return "header must be an object"
        title = header.get("title")
        if _text_problem(title, "header.title") or title.get("tag") != "plain_text":
            return "header.title must be a plain_text object"
        if header.get("template", "default") not in TEMPLATES:
            return "header.template is not a card colour"
    elements = card.get("elements")
    if not isinstance(elements, list) or (not elements and header is None):
        return "card needs elements"
    for i, element in enumerate(elements):
        if problem := _element_problem(element, f"elements[{i}]"):
            return problem
    return None


def content_problem(payload: dict[str, Any]) -> str | None:
    """What is wrong with the message's type or content, or None."""
    msg_type = payload.get("msg_type")
    if msg_type == "interactive":
        return card_problem(payload.get("card"))
    content = payload.get("content")
    if msg_type == "text":
        ok = isinstance(content, dict) and isinstance(content.get("text"), str)
        return None if ok else "text message needs content.text"
    if msg_type == "post":
        ok = isinstance(content, dict) and isinstance(content.get("post"), dict)
        return None if ok else "post message needs content.post"
    return "params error, msg_type need"


def expected_sign(timestamp: str, secret: str) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


@dataclass
class Received:
    """One request that reached the bot's checks, and the code it was answered with."""

    at: float
    code: int
    status: int


class FakeFeishuBot(FakeHttpServer):
    """One custom bot. `url` is its webhook; `accepted` holds the bodies it accepted.

    `secret` set makes it a signed bot; the hook token is random unless given. `clock` is
    the server's own time (arrival times, rate limits, timestamp skew): the real one unless a
    test shares a stepping clock with the sender.
    """

    def __init__(
        self,
        secret: str | None = None,
        *,
        hook_token: str | None = None,
        per_second: int = 5,
        per_minute: int = 100,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.clock = clock
        self.secret = secret
        self.hook_token = hook_token or secrets.token_hex(16)
        self.per_second = per_second
        self.per_minute = per_minute
        self.accepted: list[dict[str, Any]] = []
        self.received: list[Received] = []
        self._admitted: deque[float] = deque()
        self._faults: deque[str] = deque()

    @property
    def url(self) -> str:
        return f"{self.origin}{HOOK_PREFIX}{self.hook_token}"

    def fail_next(self, n: int, kind: str) -> None:
        """Answer the next `n` admitted requests with a fault instead of checking them."""
        if kind not in FAULTS:
            raise ValueError(f"kind must be one of {sorted(FAULTS)}")
        with self.lock:
            self._faults.extend([kind] * n)

    def codes(self) -> list[int]:
        """The code answered to each request, in order."""
        with self.lock:
            return [r.code for r in self.received]

    def _throttled(self, now: float) -> bool:
        while self._admitted and self._admitted[0] <= now - 60:
            self._admitted.popleft()
        last_second = sum(1 for t in self._admitted if t > now - 1)
        if last_second >= self.per_second or len(self._admitted) >= self.per_minute:
            return True
        self._admitted.append(now)
        return False

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        now = self.clock()
        with self.lock:
            reply = self._check(method, path, headers, body, now)
            status, _headers, payload = reply
            try:
                code = json.loads(payload).get("code", -1)
            except ValueError:
                code = -1
            self.received.append(Received(at=now, code=code, status=status))
            return reply

    def _check(
        self, method: str, path: str, headers: dict[str, str], body: bytes, now: float
    ) -> Reply:
        if method != "POST" or not path.startswith(HOOK_PREFIX):
            return _json_reply(CODE_BAD_REQUEST, "Bad Request", 404)
        token = path[len(HOOK_PREFIX) :]
        if not hmac.compare_digest(token.encode(), self.hook_token.encode()):
            return _json_reply(
                CODE_BAD_TOKEN, "param invalid: incoming webhook access token invalid"
            )
        if not headers.get("content-type", "").startswith("application/json"):
            return _json_reply(CODE_BAD_REQUEST, "Bad Request: content type must be JSON", 400)
        if len(body) > MAX_BODY_BYTES:
            return _json_reply(CODE_BAD_REQUEST, "request body too large", 400)
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _json_reply(CODE_BAD_REQUEST, "Bad Request: invalid JSON", 400)
        if not isinstance(payload, dict):
            return _json_reply(CODE_BAD_REQUEST, "Bad Request: body must be an object", 400)

        if self._throttled(now):
            return _json_reply(CODE_THROTTLED, "frequency limited psm[lark.oapi.bot] appID[test]")
        if self._faults:
            fault = self._faults.popleft()
            if fault == "throttle":
                return _json_reply(CODE_THROTTLED, "frequency limited (injected)")
            if fault == "server_error":
                return 500, {"Content-Type": "text/plain"}, b"internal server error"
            return _json_reply(CODE_BAD_SIGNATURE, "sign match fail (injected)")

        if self.secret is not None and not self._signature_ok(payload, now):
            return _json_reply(
                CODE_BAD_SIGNATURE,
                "sign match fail or timestamp is not within one hour from current time",
            )
        if problem := content_problem(payload):
            return _json_reply(CODE_BAD_PARAMS, f"params error: {problem}")
        self.accepted.append(payload)
        return _json_reply(CODE_OK, "success")

    def _signature_ok(self, payload: dict[str, Any], now: float) -> bool:
        timestamp, sign = payload.get("timestamp"), payload.get("sign")
        if not isinstance(timestamp, str) or not isinstance(sign, str):
            return False
        try:
            seconds = int(timestamp)
        except ValueError:
            return False
        if abs(now - seconds) > MAX_CLOCK_SKEW:
            return False
        assert self.secret is not None
        return hmac.compare_digest(expected_sign(timestamp, self.secret), sign)
