"""Pinduoduo open platform: `pdd.order.number.list.increment.get` (orders) and
`pdd.refund.list.increment.get` (refunds), md5-signed like TOP.

Windows by last-update time (`start_updated_at`/`end_updated_at`, epoch seconds) of at most 30
minutes, ending at least 3 minutes behind the platform's time (its index lags); like Taobao,
a window is paged from its last page back (the platform's own advice against missed orders).
Error codes (`error_response.error_code`): 10019 access_token expired or invalid, 20004
signature check failed; throttling is `error_code` 70031 or a `sub_code` naming a limit
(unverified), and 5xx-like `isp` sub-codes are retried.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ingest.platforms.api import Call, EntityApi, PageInfo, PageRequest, Platform, Problem
from ingest.platforms.shops import Shop
from ingest.platforms.signing import md5_wrapped_sign

GATEWAY = "https://gw-api.pinduoduo.com/api/router"
ORDERS = EntityApi(
    entity="orders",
    source="pdd",
    method="pdd.order.number.list.increment.get",
    paging="backward",
    page_size=100,
    response="order_sn_increment_get_response",
)
REFUNDS = EntityApi(
    entity="refunds",
    source="pdd_refunds",
    method="pdd.refund.list.increment.get",
    paging="backward",
    page_size=100,
    response="refund_increment_get_response",
)
#: Each entity's filters besides the window and the page: every status, every kind.
FILTERS = {
    "orders": {"is_lucky_flag": "0", "order_status": "5", "refund_status": "5"},
    "refunds": {"after_sales_status": "1", "after_sales_type": "1"},
}
AUTH_CODES = {10019: "access_token expired or invalid", 20004: "signature check failed"}
THROTTLE_CODES = {70031}


class Pinduoduo(Platform):
    name = "pdd"
    label = "Pinduoduo"
    default_base_url = GATEWAY
    credential_names = ("CLIENT_ID", "CLIENT_SECRET", "ACCESS_TOKEN")
    lag = timedelta(minutes=3)
    entities = {"orders": ORDERS, "refunds": REFUNDS}

    def page_call(self, shop: Shop, entity: EntityApi, request: PageRequest) -> Call:
        params = {
            "type": entity.method,
            "client_id": shop.credential("CLIENT_ID"),
            "access_token": shop.credential("ACCESS_TOKEN"),
            "timestamp": str(int(request.now)),
            "data_type": "JSON",
            "version": "V1",
            "start_updated_at": str(int(request.window.start.timestamp())),
            "end_updated_at": str(int(request.window.end.timestamp())),
            **FILTERS[entity.entity],
            "page": str(request.page),
            "page_size": str(entity.page_size),
            "use_has_next": "false",
        }
        params["sign"] = md5_wrapped_sign(params, shop.credential("CLIENT_SECRET"))
        return Call("POST", shop.base_url, form=params)

    def page_info(self, entity: EntityApi, body: dict[str, Any]) -> PageInfo:
        inner = body.get(entity.response) or {}
        return PageInfo(
            total=int(inner.get("total_count") or 0), has_next=bool(inner.get("has_next"))
        )

    def problem(self, body: dict[str, Any]) -> Problem | None:
        error = body.get("error_response")
        if not isinstance(error, dict):
            return None
        keys = ("error_code", "error_msg", "sub_code", "sub_msg")
        reason = ", ".join(f"{key}={error[key]}" for key in keys if error.get(key))
        try:
            code = int(error.get("error_code"))
        except (TypeError, ValueError):
            code = -1
        sub_code = str(error.get("sub_code") or "")
        if code in AUTH_CODES:
            return Problem("auth", f"{AUTH_CODES[code]} ({reason})")
        if code in THROTTLE_CODES or "limit" in sub_code:
            return Problem("throttle", reason)
        if sub_code.startswith("isp") or code >= 50000:
            return Problem("transient", reason)
        return Problem("fatal", reason)


PDD = Pinduoduo()
