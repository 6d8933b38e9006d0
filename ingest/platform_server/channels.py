"""WeChat shop as the local server answers it: `cgi-bin/token`, `channels/ec/order/list/get`
(ids updated in a window, `next_key` paging, window ≤ 7 days, page_size ≤ 100),
`channels/ec/order/get` (one order, as current at the server's time), and the after-sale pair
`channels/ec/aftersale/getaftersalelist` (ids updated in a window ≤ 24 hours, pages of 100)
and `channels/ec/aftersale/getaftersaleorder`."""

from __future__ import annotations

import hmac
import json
from typing import Any

from ingest import exact_json
from ingest.platform_server.state import ServerShop, ServerState

MAX_WINDOW_SECONDS = 7 * 86_400
MAX_PAGE_SIZE = 100
MAX_AFTERSALE_WINDOW_SECONDS = 86_400
AFTERSALE_PAGE = 100


def error(code: int, msg: str) -> dict:
    return {"errcode": code, "errmsg": msg}


def throttled() -> tuple[int, dict]:
    return 200, error(45011, "api minute-quota reach limit")


def token_of(shop: ServerShop) -> str:
    return f"local-{shop.shop_id}-{shop.credentials['APPID']}"


def authenticate_app(state: ServerState, params: dict[str, str]) -> ServerShop | dict:
    app = [s for s in state.shops_of("wechat") if s.credentials["APPID"] == params.get("appid")]
    if not app:
        return error(40013, "invalid appid")
    given = params.get("secret", "").encode()
    if not hmac.compare_digest(app[0].credentials["APPSECRET"].encode(), given):
        return error(40125, "invalid appsecret")
    return app[0]


def issue_token(state: ServerState, shop: ServerShop, params: dict[str, str]) -> dict:
    return {"access_token": token_of(shop), "expires_in": 7200}


def authenticate_token(state: ServerState, params: dict[str, str]) -> ServerShop | dict:
    given = params.get("access_token", "").encode()
    for shop in state.shops_of("wechat"):
        if hmac.compare_digest(token_of(shop).encode(), given):
            return shop
    return error(40001, "invalid credential, access_token is invalid or not latest")


def list_orders(state: ServerState, shop: ServerShop, params: dict[str, str]) -> dict:
    try:
        window = json.loads(params["update_time_range"])
        start, end = int(window["start_time"]), int(window["end_time"])
        page_size = int(params.get("page_size", "10"))
        offset = int(params.get("next_key") or "0")
    except (KeyError, ValueError, TypeError):
        return error(47001, "data format error")
    if not 0 <= end - start <= MAX_WINDOW_SECONDS or not 1 <= page_size <= MAX_PAGE_SIZE:
        return error(40097, "invalid args")
    found = state.world.listing("wechat", shop.shop_id, start, end, state.now)
    listed = found[offset : offset + page_size]
    more = offset + page_size < len(found)
    return {
        "errcode": 0,
        "errmsg": "ok",
        "order_id_list": [v.native_id for v in listed],
        "next_key": str(offset + page_size),
        "has_more": more,
    }


def get_order(state: ServerState, shop: ServerShop, params: dict[str, str]) -> dict:
    key = f"wechat:{params.get('order_id', '')}"
    try:
        version = state.world.current(key, state.now)
    except KeyError:
        version = None
    if version is None or state.world.shop_of(version) != shop.shop_id:
        return error(100002, "order not exist")
    order: Any = exact_json.loads(version.payload)
    return {"errcode": 0, "errmsg": "ok", "order": order}


def list_aftersales(state: ServerState, shop: ServerShop, params: dict[str, str]) -> dict:
    try:
        start, end = int(params["begin_update_time"]), int(params["end_update_time"])
        offset = int(params.get("next_key") or "0")
    except (KeyError, ValueError, TypeError):
        return error(47001, "data format error")
    if not 0 <= end - start <= MAX_AFTERSALE_WINDOW_SECONDS:
        return error(10020004, "非法的时间区间,不得大于24小时")
    found = state.world.listing("wechat_refunds", shop.shop_id, start, end, state.now)
    listed = found[offset : offset + AFTERSALE_PAGE]
    return {
        "errcode": 0,
        "errmsg": "ok",
        "after_sale_order_id_list": [v.native_id for v in listed],
        "has_more": offset + AFTERSALE_PAGE < len(found),
        "next_key": str(offset + AFTERSALE_PAGE),
    }


def get_aftersale(state: ServerState, shop: ServerShop, params: dict[str, str]) -> dict:
    key = f"wechat_refunds:{params.get('after_sale_order_id', '')}"
    try:
        version = state.world.current(key, state.now)
    except KeyError:
        version = None
    if version is None or state.world.shop_of(version) != shop.shop_id:
        return error(100002, "after sale order not exist")
    return {"errcode": 0, "errmsg": "ok", "after_sale_order": exact_json.loads(version.payload)}
