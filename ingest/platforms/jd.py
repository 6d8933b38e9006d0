"""JD JOS: `jingdong.pop.order.search` (orders) and `jingdong.pop.afs.soa.refundapply.queryPageList`
(refund audits), signed like TOP with the business parameters in `360buy_param_json`.

Orders: windows by modified time (`start_date`/`end_date`, China time, `dateType` 0 = modified
time) of 30 minutes; pages 1, 2, … up to what `orderTotal` says. Only the fields named in
`optional_fields` come back, so every field ordersight reads is asked for. Refund audits have
no modified-time filter: each window is read by application time (`applyTimeStart`/`End`) and
by audit time (`checkTimeStart`/`End`), the two moments a refund audit changes; pages
`pageIndex` 1, 2, … of at most 50 up to `totalCount`. Errors
(`error_response.code` with `zh_desc`/`en_desc`): 19 invalid or expired access_token; a
signature, app-key or token description is an auth error; a description naming a call limit
is throttling (JD's numeric codes for those were not at hand: matched on the text).
"""

from __future__ import annotations

import json
from typing import Any

from ingest.platforms.api import Call, EntityApi, PageInfo, PageRequest, Platform, Problem
from ingest.platforms.fields import KNOWN_FIELDS
from ingest.platforms.shops import Shop
from ingest.platforms.signing import china_text, epoch_text, md5_wrapped_sign

GATEWAY = "https://api.jd.com/routerjson"
ORDERS = EntityApi(
    entity="orders",
    source="jd",
    method="jingdong.pop.order.search",
    paging="forward",
    page_size=100,
)
REFUNDS = EntityApi(
    entity="refunds",
    source="jd_refunds",
    method="jingdong.pop.afs.soa.refundapply.queryPageList",
    paging="forward",
    page_size=50,
    response="jingdong_pop_afs_soa_refundapply_queryPageList_responce",
    windows_by=("apply", "check"),
)
#: JOS returns only the fields named in optional_fields: name every order field ordersight knows.
ORDER_FIELDS = ",".join(sorted(KNOWN_FIELDS["jd"]))
STATES = (
    "WAIT_SELLER_STOCK_OUT,WAIT_GOODS_RECEIVE_CONFIRM,WAIT_SELLER_DELIVERY,PAUSE,"
    "FINISHED_L,TRADE_CANCELED,LOCKED,POP_ORDER_PAUSE"
)
AUTH_CODES = {"19": "invalid or expired access_token"}
_AUTH_WORDS = ("sign", "签名", "access_token", "token", "app_key", "appkey")
_THROTTLE_WORDS = ("limit", "限流", "频率", "频繁")


class Jd(Platform):
    name = "jd"
    label = "JD"
    default_base_url = GATEWAY
    credential_names = ("APP_KEY", "APP_SECRET", "ACCESS_TOKEN")
    entities = {"orders": ORDERS, "refunds": REFUNDS}

    def page_call(self, shop: Shop, entity: EntityApi, request: PageRequest) -> Call:
        start, end = china_text(request.window.start), china_text(request.window.end)
        if entity is REFUNDS:
            business = {
                f"{request.by}TimeStart": start,
                f"{request.by}TimeEnd": end,
                "pageIndex": str(request.page),
                "pageSize": str(entity.page_size),
            }
        else:
            business = {
                "start_date": start,
                "end_date": end,
                "order_state": STATES,
                "optional_fields": ORDER_FIELDS,
                "page": str(request.page),
                "page_size": str(entity.page_size),
                "dateType": "0",
                "sortType": "0",
            }
        params = {
            "method": entity.method,
            "app_key": shop.credential("APP_KEY"),
            "access_token": shop.credential("ACCESS_TOKEN"),
            "timestamp": china_text(epoch_text(request.now)),
            "v": "2.0",
            "360buy_param_json": json.dumps(business, ensure_ascii=False, separators=(",", ":")),
        }
        params["sign"] = md5_wrapped_sign(params, shop.credential("APP_SECRET"))
        return Call("POST", shop.base_url, form=params)

    def page_info(self, entity: EntityApi, body: dict[str, Any]) -> PageInfo:
        if entity is REFUNDS:
            query = (body.get(REFUNDS.response) or {}).get("queryResult") or {}
            listed = len(query.get("result") or [])
            total = int(query.get("totalCount") or 0)
            return PageInfo(total=total, has_next=listed == entity.page_size and listed > 0)
        result = (body.get("jingdong_pop_order_search_responce") or {}).get(
            "searchorderinfo_result"
        ) or {}
        listed = len(result.get("orderInfoList") or [])
        total = int(result.get("orderTotal") or 0)
        return PageInfo(total=total, has_next=listed == entity.page_size and listed > 0)

    def problem(self, body: dict[str, Any]) -> Problem | None:
        error = body.get("error_response")
        if isinstance(error, dict):
            keys = ("code", "zh_desc", "en_desc")
            reason = ", ".join(f"{key}={error[key]}" for key in keys if error.get(key))
            code = str(error.get("code", ""))
            text = f"{error.get('zh_desc', '')} {error.get('en_desc', '')}".lower()
            if code in AUTH_CODES:
                return Problem("auth", f"{AUTH_CODES[code]} ({reason})")
            if any(word in text for word in _THROTTLE_WORDS):
                return Problem("throttle", reason)
            if any(word in text for word in _AUTH_WORDS):
                return Problem("auth", reason)
            return Problem("fatal", reason)
        result = (body.get("jingdong_pop_order_search_responce") or {}).get(
            "searchorderinfo_result"
        )
        api_result = result.get("apiResult") if isinstance(result, dict) else None
        if isinstance(api_result, dict) and api_result.get("success") is False:
            return Problem("transient", f"apiResult: {api_result}")
        query = (body.get(REFUNDS.response) or {}).get("queryResult")
        if isinstance(query, dict) and query.get("success") is False:
            return Problem("transient", f"queryResult: resultCode={query.get('resultCode')}")
        return None


JD = Jd()
