"""Taobao TOP as the local server answers it: `taobao.trades.sold.increment.get` and
`taobao.refunds.receive.get`.

Checks what TOP checks: a known app_key (29), the md5 signature (25), a valid session (27),
the method (22), the window (start/end_modified, at most one day) and page_size (at most 100)
(41, isv.invalid-parameter). Trades and refunds come sorted by modified time descending, with
only the fields asked for.
"""

from __future__ import annotations

import math
from typing import Any

from ingest import exact_json
from ingest.platform_server.state import ServerShop, ServerState
from ingest.platforms.signing import from_china_text, md5_wrapped_sign, signature_matches
from ingest.platforms.taobao import LIST_KEY, ORDERS, REFUNDS

ENTITIES = {api.method: api for api in (ORDERS, REFUNDS)}
#: The element name inside each list (`trades.trade[]`, `refunds.refund[]`).
ITEM_KEY = {"orders": "trade", "refunds": "refund"}

MAX_WINDOW_SECONDS = 86_400
MAX_PAGE_SIZE = 100
THROTTLED = {
    "code": 7,
    "msg": "App Call Limited",
    "sub_code": "accesscontrol.limited-by-app-access-count",
    "sub_msg": "This ban will last for 1 more seconds",
}


def error(code: int, msg: str, sub_code: str | None = None, sub_msg: str | None = None) -> dict:
    body: dict[str, Any] = {"code": code, "msg": msg}
    if sub_code:
        body["sub_code"] = sub_code
    if sub_msg:
        body["sub_msg"] = sub_msg
    body["request_id"] = "local"
    return {"error_response": body}


def throttled() -> tuple[int, dict]:
    return 200, error(**THROTTLED)


def authenticate(state: ServerState, params: dict[str, str]) -> ServerShop | dict:
    shops = state.shops_of("taobao")
    app = [shop for shop in shops if shop.credentials["APP_KEY"] == params.get("app_key")]
    if not app:
        return error(29, "Invalid app Key")
    if not params.get("sign") or not signature_matches(
        md5_wrapped_sign(params, app[0].credentials["APP_SECRET"]), params["sign"]
    ):
        return error(25, "Invalid signature")
    session = [shop for shop in app if shop.credentials["SESSION"] == params.get("session")]
    if not session:
        return error(27, "Invalid session", "invalid-sessionkey")
    return session[0]


def handle(state: ServerState, shop: ServerShop, params: dict[str, str]) -> dict:
    api = ENTITIES.get(params.get("method", ""))
    if api is None:
        return error(22, "Invalid method")
    try:
        start = int(from_china_text(params["start_modified"]).timestamp())
        end = int(from_china_text(params["end_modified"]).timestamp())
        page_no = int(params.get("page_no", "1"))
        page_size = int(params.get("page_size", "40"))
    except (KeyError, ValueError):
        return error(41, "Invalid arguments", "isv.invalid-parameter", "bad window or page")
    if not 0 <= end - start <= MAX_WINDOW_SECONDS:
        return error(
            41, "Invalid arguments", "isv.invalid-parameter:start_modified", "跨度不能大于一天"
        )
    if not 1 <= page_size <= MAX_PAGE_SIZE or page_no < 1:
        return error(41, "Invalid arguments", "isv.invalid-parameter:page_size")
    fields = {name for name in params.get("fields", "").split(",") if name}
    if not fields:
        return error(40, "Missing required arguments:fields")
    found = state.world.listing(api.source, shop.shop_id, start, end, state.now)
    found.sort(key=lambda v: (-v.modified, v.key))
    page = found[(page_no - 1) * page_size : page_no * page_size]
    inner: dict[str, Any] = {"total_results": len(found)}
    if params.get("use_has_next") == "true":
        inner = {"has_next": page_no < math.ceil(len(found) / page_size)}
    if page:
        objects = []
        for version in page:
            listed = exact_json.loads(version.payload)
            objects.append({k: v for k, v in listed.items() if k in fields})
        inner[LIST_KEY[api.entity]] = {ITEM_KEY[api.entity]: objects}
    return {api.response: inner}
