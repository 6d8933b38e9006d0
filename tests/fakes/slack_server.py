"""A fake Slack Web API: chat.postMessage and the three-step external file upload.

Every `/api/` method checks `Authorization: Bearer <token>` (`not_authed` /
`invalid_auth`). `chat.postMessage` checks the channel (`channel_not_found`), that there
is text or blocks (`no_text`), text ≤ 40,000 chars (`msg_too_long`) and the blocks
(`invalid_blocks`: ≤ 50 blocks; known types; section text ≤ 3,000 chars; ≤ 10 fields of
≤ 2,000 chars; header plain_text ≤ 150; context ≤ 10 elements; buttons with text ≤ 75
and url ≤ 3,000; unique block and action ids), and allows 1 message per second per
channel, answering HTTP 429 with `Retry-After: 1` beyond that. `files.getUploadURLExternal`
hands out an upload URL on this server, the upload URL takes the bytes (which must have the
announced length), `files.completeUploadExternal` shares uploaded files into a channel.
"""

from __future__ import annotations

import hmac
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.http_fake import FakeHttpServer, Reply

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_TEXT = 40_000
MAX_BUTTON_TEXT = 75
MAX_URL = 3000
MESSAGE_INTERVAL = 1.0
FAULTS = {"ratelimited", "server_error"}
BLOCK_TYPES = {"section", "header", "context", "actions", "divider", "image", "rich_text"}


def _reply(body: dict[str, Any], status: int = 200, **headers: str) -> Reply:
    return status, {"Content-Type": "application/json", **headers}, json.dumps(body).encode()


def _error(error: str, status: int = 200, **extra: Any) -> Reply:
    return _reply({"ok": False, "error": error, **extra}, status)


def _text_problem(obj: Any, where: str, limit: int, types: set[str]) -> str | None:
    if not isinstance(obj, dict) or obj.get("type") not in types:
        return f"{where}: text object must be of type {sorted(types)}"
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return f"{where}: text must be a non-empty string"
    if len(text) > limit:
        return f"{where}: text longer than {limit} characters ({len(text)})"
    return None


ANY_TEXT = {"mrkdwn", "plain_text"}


def _block_problem(block: Any, where: str, action_ids: set[str]) -> str | None:
    if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
        return f"{where}: unknown block type"
    kind = block["type"]
    if kind == "section":
        if "text" not in block and "fields" not in block:
            return f"{where}: section needs text or fields"
        if "text" in block and (
            problem := _text_problem(block["text"], where, MAX_SECTION_TEXT, ANY_TEXT)
        ):
            return problem
        if "fields" in block:
            fields = block["fields"]
            if not isinstance(fields, list) or not 0 < len(fields) <= MAX_FIELDS:
                return f"{where}: fields must hold 1 to {MAX_FIELDS} items"
            for i, field in enumerate(fields):
                if problem := _text_problem(
                    field, f"{where}.fields[{i}]", MAX_FIELD_TEXT, ANY_TEXT
                ):
                    return problem
    elif kind == "header":
        return _text_problem(block.get("text"), where, MAX_HEADER_TEXT, {"plain_text"})
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 0 < len(elements) <= MAX_CONTEXT_ELEMENTS:
            return f"{where}: context needs 1 to {MAX_CONTEXT_ELEMENTS} elements"
        for i, element in enumerate(elements):
            if problem := _text_problem(element, f"{where}[{i}]", MAX_SECTION_TEXT, ANY_TEXT):
                return problem
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 0 < len(elements) <= 25:
            return f"{where}: actions needs 1 to 25 elements"
        for i, button in enumerate(elements):
            if not isinstance(button, dict) or button.get("type") != "button":
                return f"{where}[{i}]: only buttons are supported here"
            text = button.get("text")
            if problem := _text_problem(text, f"{where}[{i}]", MAX_BUTTON_TEXT, {"plain_text"}):
                return problem
            url = button.get("url")
            if url is not None and (not isinstance(url, str) or len(url) > MAX_URL):
                return f"{where}[{i}]: url must be a string of at most {MAX_URL} characters"
            action_id = button.get("action_id")
            if action_id is not None:
                if action_id in action_ids:
                    return f"{where}[{i}]: duplicate action_id"
                action_ids.add(action_id)
    return None


def blocks_problem(blocks: Any) -> str | None:
    """What is wrong with a message's blocks, or None."""
    if not isinstance(blocks, list) or not blocks:
        return "blocks must be a non-empty array"
    if len(blocks) > MAX_BLOCKS:
        return f"no more than {MAX_BLOCKS} items allowed [json-pointer:/blocks]"
    block_ids: set[str] = set()
    action_ids: set[str] = set()
    for i, block in enumerate(blocks):
        if problem := _block_problem(block, f"blocks[{i}]", action_ids):
            return problem
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in block_ids or len(str(block_id)) > 255:
                return f"blocks[{i}]: block_id duplicate or too long"
            block_ids.add(block_id)
    return None


@dataclass
class PendingUpload:
    file_id: str
    filename: str
    length: int
    data: bytes | None = None


@dataclass
class SharedFile:
    file_id: str
    filename: str
    title: str
    channel: str
    data: bytes
    initial_comment: str | None


class FakeSlackApi(FakeHttpServer):
    """Slack for one bot token and a few channels; `base_url` is what WebClient takes."""

    def __init__(self, token: str, channels: tuple[str, ...] = ("C0ALERTS",)) -> None:
        super().__init__()
        self.token = token
        self.channels = set(channels)
        self.messages: list[dict[str, Any]] = []
        self.files: list[SharedFile] = []
        self.rate_limited = 0  # 429 answers given (injected or real)
        self.calls: list[tuple[float, str, int]] = []  # (arrival, method, HTTP status)
        self._uploads: dict[str, PendingUpload] = {}
        self._last_message: dict[str, float] = {}
        self._faults: deque[str] = deque()
        self._ids = itertools.count(1)

    @property
    def base_url(self) -> str:
        return f"{self.origin}/api/"

    def fail_next(self, n: int, kind: str) -> None:
        """Answer the next `n` chat.postMessage calls with a fault."""
        if kind not in FAULTS:
            raise ValueError(f"kind must be one of {sorted(FAULTS)}")
        with self.lock:
            self._faults.extend([kind] * n)

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        now = time.time()
        with self.lock:
            reply = self._route(method, path, headers, body, now)
            self.calls.append((now, path, reply[0]))
            return reply

    def _route(
        self, method: str, path: str, headers: dict[str, str], body: bytes, now: float
    ) -> Reply:
        if method == "POST" and path.startswith("/upload/"):
            return self._upload(path.removeprefix("/upload/"), body)
        if method != "POST" or not path.startswith("/api/"):
            return _error("unknown_method", 404)
        api_method = path.removeprefix("/api/").split("?", 1)[0]
        args = self._args(headers, body)
        if args is None:
            return _error("invalid_form_data")
        if problem := self._auth_problem(headers, args):
            return _error(problem)
        if api_method == "chat.postMessage":
            return self._post_message(args, now)
        if api_method == "files.getUploadURLExternal":
            return self._get_upload_url(args)
        if api_method == "files.completeUploadExternal":
            return self._complete_upload(args)
        return _error("unknown_method", 404)

    @staticmethod
    def _args(headers: dict[str, str], body: bytes) -> dict[str, Any] | None:
        content_type = headers.get("content-type", "")
        try:
            if content_type.startswith("application/json"):
                data = json.loads(body or b"{}")
                return data if isinstance(data, dict) else None
            if content_type.startswith("application/x-www-form-urlencoded") or not body:
                parsed = parse_qs(body.decode(), keep_blank_values=True)
                return {key: values[-1] for key, values in parsed.items()}
        except (ValueError, UnicodeDecodeError):
            return None
        return None

    def _auth_problem(self, headers: dict[str, str], args: dict[str, Any]) -> str | None:
        authorization = headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ") if authorization else args.get("token")
        if not token:
            return "not_authed"
        if not hmac.compare_digest(str(token).encode(), self.token.encode()):
            return "invalid_auth"
        return None

    def _post_message(self, args: dict[str, Any], now: float) -> Reply:
        if self._faults:
            fault = self._faults.popleft()
            if fault == "ratelimited":
                self.rate_limited += 1
                return _reply({"ok": False, "error": "ratelimited"}, 429, **{"Retry-After": "1"})
            return _error("internal_error", 500)
        channel = args.get("channel")
        if channel not in self.channels:
            return _error("channel_not_found")
        blocks = args.get("blocks")
        if isinstance(blocks, str):  # form-encoded calls send blocks as a JSON string
            try:
                blocks = json.loads(blocks)
            except ValueError:
                return _error("invalid_blocks_format")
        text = args.get("text")
        if not text and not blocks:
            return _error("no_text")
        if text is not None and len(str(text)) > MAX_TEXT:
            return _error("msg_too_long")
        if blocks is not None and (problem := blocks_problem(blocks)):
            return _error("invalid_blocks", errors=[problem])
        if now - self._last_message.get(channel, float("-inf")) < MESSAGE_INTERVAL:
            self.rate_limited += 1
            return _reply({"ok": False, "error": "ratelimited"}, 429, **{"Retry-After": "1"})
        self._last_message[channel] = now
        ts = f"{now:.6f}"
        message = {"channel": channel, "text": text, "blocks": blocks, "ts": ts}
        self.messages.append(message)
        return _reply({"ok": True, "channel": channel, "ts": ts, "message": message})

    def _get_upload_url(self, args: dict[str, Any]) -> Reply:
        filename = args.get("filename")
        try:
            length = int(args.get("length", ""))
        except ValueError:
            return _error("invalid_arguments")
        if not filename or length <= 0:
            return _error("invalid_arguments")
        file_id = f"F{next(self._ids):08d}"
        self._uploads[file_id] = PendingUpload(file_id=file_id, filename=filename, length=length)
        upload_url = f"{self.origin}/upload/{file_id}"
        return _reply({"ok": True, "upload_url": upload_url, "file_id": file_id})

    def _upload(self, file_id: str, body: bytes) -> Reply:
        pending = self._uploads.get(file_id)
        if pending is None:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        if len(body) != pending.length:
            return 400, {"Content-Type": "text/plain"}, b"length mismatch"
        pending.data = body
        return 200, {"Content-Type": "text/plain"}, f"OK - {len(body)}".encode()

    def _complete_upload(self, args: dict[str, Any]) -> Reply:
        try:
            files = json.loads(args.get("files", ""))
        except ValueError:
            return _error("invalid_arguments")
        channel = args.get("channel_id")
        if channel is not None and channel not in self.channels:
            return _error("channel_not_found")
        if not isinstance(files, list) or not files:
            return _error("invalid_arguments")
        done = []
        for item in files:
            pending = self._uploads.get(str(item.get("id")))
            if pending is None or pending.data is None:
                return _error("file_not_found")
            done.append((pending, str(item.get("title") or pending.filename)))
        shared = []
        for pending, title in done:
            del self._uploads[pending.file_id]
            if channel is not None:
                assert pending.data is not None
                self.files.append(
                    SharedFile(
                        file_id=pending.file_id,
                        filename=pending.filename,
                        title=title,
                        channel=channel,
                        data=pending.data,
                        initial_comment=args.get("initial_comment"),
                    )
                )
            shared.append({"id": pending.file_id, "title": title, "name": pending.filename})
        return _reply({"ok": True, "files": shared})
