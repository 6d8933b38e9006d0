"""Pinduoduo as the local server answers it: `pdd.order.number.list.increment.get` and
`pdd.refund.list.increment.get`.

Checks a known client_id, the md5 signature (20004), the access_token (10019), the type, a
window of at most 30 minutes and page_size at most 100 (10000). Orders and refunds come sorted
by update time descending (hence the client's paging from the last page back).
"""

from __future__ import annotations

from typing import Any

from ingest import exact_json
from ingest.platform_server.state import ServerShop, ServerState
from ingest.platforms.pdd import ORDERS, REFUNDS
from ingest.platforms.signing import md5_wrapped_sign, signature_matches

ENTITIES = {api.method: api for api in (ORDERS, REFUNDS)}
LIST_KEY = {"orders": "order_sn_list", "refunds": "refund_list"}

MAX_WINDOW_SECONDS = 1800
MAX_PAGE_SIZE = 100


def error(code: int, msg: str, sub_code: str = "") -> dict:
    body: dict[str, Any] = {"error_code": code, "error_msg": msg, "sub_msg": msg}
    body["sub_code"] = sub_code or str(code)
    body["request_id"] = "local"
    return {"error_response": body}


def throttled() -> tuple[int, dict]:
    return 200, error(70031, "调用过于频繁，请调整调用频率", "isv.api-call-limit")


def authenticate(state: ServerState, params: dict[str, str]) -> ServerShop | dict:
    shops = state.shops_of("pdd")
    app = [shop for shop in shops if shop.credentials["CLIENT_ID"] == params.get("client_id")]
    if not app:
        return error(10001, "client_id不存在")
    if not params.get("sign") or not signature_matches(
        md5_wrapped_sign(params, app[0].credentials["CLIENT_SECRET"]), params["sign"]
    ):
        return error(20004, "签名验证失败")
    token = [shop for shop in app if shop.credentials["ACCESS_TOKEN"] == params.get("access_token")]
    if not token:
        return error(10019, "access_token已过期", "access_token_invalid")
    return token[0]


def handle(state: ServerState, shop: ServerShop, params: dict[str, str]) -> dict:
    api = ENTITIES.get(params.get("type", ""))
    if api is None:
        return error(10000, "type不存在")
    try:
        start, end = int(params["start_updated_at"]), int(params["end_updated_at"])
        page, page_size = int(params.get("page", "1")), int(params.get("page_size", "100"))
    except (KeyError, ValueError):
        return error(10000, "参数错误")
    if not 0 <= end - start <= MAX_WINDOW_SECONDS:
        return error(10000, "start_updated_at与end_updated_at的间隔不能超过30分钟")
    if not 1 <= page_size <= MAX_PAGE_SIZE or page < 1:
        return error(10000, "page_size不合法")
    found = state.world.listing(api.source, shop.shop_id, start, end, state.now)
    found.sort(key=lambda v: (-v.modified, v.key))
    listed = found[(page - 1) * page_size : page * page_size]
    inner: dict[str, Any] = {
        "total_count": len(found),
        "has_next": page * page_size < len(found),
        LIST_KEY[api.entity]: [exact_json.loads(v.payload) for v in listed],
    }
    return {api.response: inner}
