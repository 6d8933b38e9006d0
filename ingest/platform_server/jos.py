"""JD JOS as the local server answers it: `jingdong.pop.order.search` and
`jingdong.pop.afs.soa.refundapply.queryPageList`.

Checks a known app_key, the md5 signature over the parameters with `360buy_param_json`, the
access_token (19), a window of at most one day and page_size at most 100 (orders; refund
audits: pageSize at most 50, pageIndex at most 100). Orders come with only the fields named in
`optional_fields`, sorted by modified time ascending; refund audits are listed by application
time or by audit time, whichever pair of bounds is given.
"""

from __future__ import annotations

import json
from typing import Any

from ingest import exact_json
from ingest.platform_server.state import ServerShop, ServerState
from ingest.platforms.jd import ORDERS, REFUNDS
from ingest.platforms.signing import from_china_text, md5_wrapped_sign, signature_matches

MAX_WINDOW_SECONDS = 86_400
MAX_PAGE_SIZE = 100
MAX_REFUND_PAGE_SIZE, MAX_REFUND_PAGE = 50, 100
RESPONSE = "jingdong_pop_order_search_responce"


def error(code: str, zh: str, en: str) -> dict:
    return {"error_response": {"code": code, "zh_desc": zh, "en_desc": en}}


def throttled() -> tuple[int, dict]:
    return 200, error("90", "调用频率超限，请稍后重试", "call frequency limit exceeded")


def authenticate(state: ServerState, params: dict[str, str]) -> ServerShop | dict:
    shops = state.shops_of("jd")
    app = [shop for shop in shops if shop.credentials["APP_KEY"] == params.get("app_key")]
    if not app:
        return error("20", "无效app_key", "Invalid app_key")
    if not params.get("sign") or not signature_matches(
        md5_wrapped_sign(params, app[0].credentials["APP_SECRET"]), params["sign"]
    ):
        return error("14", "签名无效", "Invalid signature")
    token = [s for s in app if s.credentials["ACCESS_TOKEN"] == params.get("access_token")]
    if not token:
        return error("19", "无效access_token", "Invalid access_token")
    return token[0]


def handle(state: ServerState, shop: ServerShop, params: dict[str, str]) -> dict:
    if params.get("method") == REFUNDS.method:
        return _refund_audits(state, shop, params)
    if params.get("method") != ORDERS.method:
        return error("22", "无效方法", "Invalid method")
    try:
        business = json.loads(params["360buy_param_json"])
        start = int(from_china_text(business["start_date"]).timestamp())
        end = int(from_china_text(business["end_date"]).timestamp())
        page, page_size = int(business.get("page", 1)), int(business.get("page_size", 20))
    except (KeyError, ValueError, TypeError):
        return error("66", "参数错误", "Invalid parameter")
    if not 0 <= end - start <= MAX_WINDOW_SECONDS or not 1 <= page_size <= MAX_PAGE_SIZE:
        return error("66", "参数错误: 时间跨度或page_size超限", "Invalid parameter")
    fields = {name for name in str(business.get("optional_fields", "")).split(",") if name}
    found = state.world.listing("jd", shop.shop_id, start, end, state.now)
    listed = found[(page - 1) * page_size : page * page_size]
    orders = []
    for version in listed:
        order = exact_json.loads(version.payload)
        orders.append({k: v for k, v in order.items() if not fields or k in fields})
    result: dict[str, Any] = {
        "orderTotal": len(found),
        "orderInfoList": orders,
        "apiResult": {"success": True, "numberCode": 0, "chineseErrCode": "成功"},
    }
    return {RESPONSE: {"code": "0", "searchorderinfo_result": result}}


def _refund_audits(state: ServerState, shop: ServerShop, params: dict[str, str]) -> dict:
    try:
        business = json.loads(params["360buy_param_json"])
        by = "apply" if "applyTimeStart" in business else "check"
        start = int(from_china_text(business[f"{by}TimeStart"]).timestamp())
        end = int(from_china_text(business[f"{by}TimeEnd"]).timestamp())
        page, size = int(business.get("pageIndex", 1)), int(business.get("pageSize", 10))
    except (KeyError, ValueError, TypeError):
        return error("66", "参数错误", "Invalid parameter")
    if not (
        end - start >= 0 and 1 <= size <= MAX_REFUND_PAGE_SIZE and 1 <= page <= MAX_REFUND_PAGE
    ):
        return error("66", "参数错误: pageIndex或pageSize超限", "Invalid parameter")
    world = state.world
    if by == "apply":
        found = world.created_listing("jd_refunds", shop.shop_id, start, end, state.now)
    else:
        listed = world.listing("jd_refunds", shop.shop_id, start, end, state.now)
        found = [v for v in listed if exact_json.loads(v.payload).get("checkTime")]
    listed = found[(page - 1) * size : page * size]
    query = {
        "success": True,
        "resultCode": "0",
        "totalCount": len(found),
        "result": [exact_json.loads(version.payload) for version in listed],
    }
    return {REFUNDS.response: {"code": "0", "queryResult": query}}
