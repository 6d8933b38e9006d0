"""WeChat shop (微信小店): `channels/ec/order/list/get` for the ids updated in a window, then
`channels/ec/order/get` for each order; `channels/ec/aftersale/getaftersalelist` for the
after-sale ids updated in a window, then `channels/ec/aftersale/getaftersaleorder` for each;
an access_token from `cgi-bin/token`.

Windows by update time (orders: `update_time_range`, up to 7 days; after-sales:
`begin_update_time`/`end_update_time`, up to 24 hours; epoch seconds; we ask for 30 minutes),
paged with `next_key`. Errors (`errcode`): 40001 invalid credential,
40013 invalid appid, 40125 invalid appsecret, 42001 access_token expired (auth, at once);
45009 / 45011 call quota reached (throttling); -1 system busy (retried).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.platforms.api import Call, EntityApi, PageInfo, PageRequest, Platform, Problem
from ingest.platforms.shops import Shop

if TYPE_CHECKING:
    from ingest.platforms.session import ShopSession

API = "https://api.weixin.qq.com"
ORDERS = EntityApi(
    entity="orders",
    source="wechat",
    method="channels/ec/order/list/get",
    paging="cursor",
    page_size=100,
)
REFUNDS = EntityApi(
    entity="refunds",
    source="wechat_refunds",
    method="channels/ec/aftersale/getaftersalelist",
    paging="cursor",
    page_size=100,  # not a parameter of the after-sale list: the platform's own page
)
#: Each entity's detail call: its path, the id list in the listing, the id field it takes.
DETAILS = {
    "orders": ("channels/ec/order/get", "order_id_list", "order_id"),
    "refunds": (
        "channels/ec/aftersale/getaftersaleorder",
        "after_sale_order_id_list",
        "after_sale_order_id",
    ),
}
TOKEN_PATH = "cgi-bin/token"  # noqa: S105 - a path, not a secret
AUTH_CODES = {
    40001: "invalid credential (access_token)",
    40013: "invalid appid",
    40125: "invalid appsecret",
    42001: "access_token expired",
}
THROTTLE_CODES = {45009, 45011}
BUSY = -1


class WeChatShop(Platform):
    name = "wechat"
    label = "WeChat shop"
    default_base_url = API
    credential_names = ("APPID", "APPSECRET")
    entities = {"orders": ORDERS, "refunds": REFUNDS}

    def authorize(self, session: ShopSession) -> None:
        shop = session.shop
        params = {
            "grant_type": "client_credential",
            "appid": shop.credential("APPID"),
            "secret": shop.credential("APPSECRET"),
        }
        body = session.send(Call("GET", f"{shop.base_url}/{TOKEN_PATH}", params=params))
        session.token = str(body["access_token"])

    def page_call(self, shop: Shop, entity: EntityApi, request: PageRequest) -> Call:
        start, end = int(request.window.start.timestamp()), int(request.window.end.timestamp())
        body: dict[str, Any]
        if entity is REFUNDS:
            body = {"begin_update_time": start, "end_update_time": end}
        else:
            body = {
                "update_time_range": {"start_time": start, "end_time": end},
                "page_size": entity.page_size,
            }
        body["next_key"] = request.cursor or ""
        url = f"{shop.base_url}/{entity.method}"
        return Call("POST", url, params={"access_token": request.token or ""}, json=body)

    def page_info(self, entity: EntityApi, body: dict[str, Any]) -> PageInfo:
        return PageInfo(has_next=bool(body.get("has_more")), cursor=body.get("next_key") or None)

    def responses(
        self, session: ShopSession, entity: EntityApi, body: dict[str, Any]
    ) -> list[dict[str, Any]]:
        path, listed, field = DETAILS[entity.entity]
        url = f"{session.shop.base_url}/{path}"
        token = {"access_token": session.token or ""}
        return [
            session.send(Call("POST", url, params=token, json={field: str(object_id)}))
            for object_id in body.get(listed) or []
        ]

    def problem(self, body: dict[str, Any]) -> Problem | None:
        code = body.get("errcode", 0)
        if code in (0, "0", None):
            return None
        reason = f"errcode={code}, errmsg={body.get('errmsg', '')}"
        try:
            code = int(code)
        except (TypeError, ValueError):
            return Problem("fatal", reason)
        if code in AUTH_CODES:
            return Problem("auth", f"{AUTH_CODES[code]} ({reason})")
        if code in THROTTLE_CODES:
            return Problem("throttle", reason)
        if code == BUSY:
            return Problem("transient", reason)
        return Problem("fatal", reason)


WECHAT = WeChatShop()
