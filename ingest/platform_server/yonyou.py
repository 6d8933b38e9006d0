"""Yonyou U8 OpenAPI as the local server answers it: `system/token` (from_account, app_key,
app_secret) and `api/saleorderlist/batch_get` (accounts, app_key and token checked, a window of
at most one day, rows_per_page at most 500, paged by page_index)."""

from __future__ import annotations

import hmac
import math
from typing import Any

from ingest import exact_json
from ingest.platform_server.state import ServerShop, ServerState
from ingest.platforms.signing import from_china_text
from ingest.platforms.u8 import WINDOW_PARAMS

MAX_WINDOW_SECONDS = 86_400
MAX_ROWS_PER_PAGE = 500


def error(code: str, msg: str) -> dict:
    return {"errcode": code, "errmsg": msg}


def throttled() -> tuple[int, dict]:
    return 200, error("50001", "调用过于频繁 (call limit)")


def token_of(shop: ServerShop) -> str:
    return f"u8-{shop.shop_id}-{shop.credentials['APP_KEY']}"


def _same(expected: str, given: str | None) -> bool:
    return hmac.compare_digest(expected.encode(), (given or "").encode())


def authenticate_app(state: ServerState, params: dict[str, str]) -> ServerShop | dict:
    for shop in state.shops_of("u8"):
        if shop.credentials["APP_KEY"] == params.get("app_key") and shop.credentials[
            "FROM_ACCOUNT"
        ] == params.get("from_account"):
            if _same(shop.credentials["APP_SECRET"], params.get("app_secret")):
                return shop
            return error("20002", "app_secret 不正确")
    return error("20001", "app_key 或 from_account 不存在")


def issue_token(state: ServerState, shop: ServerShop, params: dict[str, str]) -> dict:
    return {"errcode": "0", "errmsg": "", "token": {"id": token_of(shop), "expiresIn": 7200}}


def authenticate_token(state: ServerState, params: dict[str, str]) -> ServerShop | dict:
    for shop in state.shops_of("u8"):
        if _same(token_of(shop), params.get("token")):
            if shop.credentials["TO_ACCOUNT"] != params.get("to_account"):
                return error("20004", "to_account 不正确")
            return shop
    return error("20003", "token 无效或已过期")


def list_orders(state: ServerState, shop: ServerShop, params: dict[str, str]) -> dict:
    begin, end_name = WINDOW_PARAMS
    try:
        start = int(from_china_text(params[begin]).timestamp())
        end = int(from_china_text(params[end_name]).timestamp())
        index, rows = int(params.get("page_index", "1")), int(params.get("rows_per_page", "20"))
    except (KeyError, ValueError):
        return error("10001", "参数错误")
    if not 0 <= end - start <= MAX_WINDOW_SECONDS or not 1 <= rows <= MAX_ROWS_PER_PAGE:
        return error("10001", "参数错误: 时间跨度或 rows_per_page 超限")
    found = state.world.listing("u8", shop.shop_id, start, end, state.now)
    listed = found[(index - 1) * rows : index * rows]
    body: dict[str, Any] = {
        "errcode": "0",
        "errmsg": "",
        "page_index": str(index),
        "rows_per_page": str(rows),
        "row_count": str(len(found)),
        "page_count": str(math.ceil(len(found) / rows)),
        "saleorderlist": [exact_json.loads(v.payload) for v in listed],
    }
    return body
