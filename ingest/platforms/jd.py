"""JD JOS: `jingdong.pop.order.search`, signed like TOP with the business parameters in
`360buy_param_json`.

Windows by modified time (`start_date`/`end_date`, China time, `dateType` 0 = modified time)
of 30 minutes; pages 1, 2, … up to what `orderTotal` says. Only the fields named in
`optional_fields` come back, so every field ordersight reads is asked for. Errors
(`error_response.code` with `zh_desc`/`en_desc`): 19 invalid or expired access_token; a
signature, app-key or token description is an auth error; a description naming a call limit
is throttling (JD's numeric codes for those were not at hand: matched on the text).
"""

from __future__ import annotations

import json
from typing import Any

from ingest.platforms.api import Call, EntityApi, PageInfo, PageRequest, Platform, Problem
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
#: Every order field ordersight keeps (JOS returns only those named in optional_fields).
ORDER_FIELDS = (
    "orderId,venderId,orderType,payType,orderTotalPrice,orderSellerPrice,orderPayment,"
    "freightPrice,sellerDiscount,orderState,orderStateRemark,deliveryType,invoiceInfo,"
    "orderRemark,orderStartTime,orderEndTime,modified,consigneeInfo,itemInfoList,"
    "paymentConfirmTime,orderExt,afsStatus,refundAmount,storeOrder,idSopShipmenttype"
)
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
    entities = {"orders": ORDERS}

    def page_call(self, shop: Shop, entity: EntityApi, request: PageRequest) -> Call:
        business = {
            "start_date": china_text(request.window.start),
            "end_date": china_text(request.window.end),
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
        return None


JD = Jd()
