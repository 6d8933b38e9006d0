"""Yonyou U8 OpenAPI: `api/saleorderlist/batch_get` with a token from `system/token`.

Every call carries `from_account`, `to_account`, `app_key` and the token; lists page with
`page_index` / `rows_per_page` up to `page_count`. Errors are a non-zero `errcode` (a string)
with `errmsg`. Unverified (the OpenAPI reference was not at hand): the names of the window's
filter parameters (`WINDOW_PARAMS`, by modification time) and the error codes, so refused
credentials are recognised by their message (token, app_key, app_secret, account).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.platforms.api import Call, EntityApi, PageInfo, PageRequest, Platform, Problem
from ingest.platforms.shops import Shop
from ingest.platforms.signing import china_text

if TYPE_CHECKING:
    from ingest.platforms.session import ShopSession

API = "https://api.yonyouup.com"
TOKEN_PATH = "system/token"  # noqa: S105 - a path, not a secret
ORDERS = EntityApi(
    entity="orders",
    source="u8",
    method="api/saleorderlist/batch_get",
    paging="forward",
    page_size=100,
)
WINDOW_PARAMS = ("modifytime_begin", "modifytime_end")
_AUTH_WORDS = ("token", "app_key", "app_secret", "from_account", "to_account", "授权", "签名")
_THROTTLE_WORDS = ("频繁", "limit", "限流")


class U8OpenApi(Platform):
    name = "u8"
    label = "Yonyou U8"
    default_base_url = API
    credential_names = ("FROM_ACCOUNT", "TO_ACCOUNT", "APP_KEY", "APP_SECRET")
    entities = {"orders": ORDERS}

    def authorize(self, session: ShopSession) -> None:
        shop = session.shop
        params = {
            "from_account": shop.credential("FROM_ACCOUNT"),
            "app_key": shop.credential("APP_KEY"),
            "app_secret": shop.credential("APP_SECRET"),
        }
        body = session.send(Call("GET", f"{shop.base_url}/{TOKEN_PATH}", params=params))
        session.token = str((body.get("token") or {}).get("id", ""))

    def page_call(self, shop: Shop, entity: EntityApi, request: PageRequest) -> Call:
        begin, end = WINDOW_PARAMS
        params = {
            "from_account": shop.credential("FROM_ACCOUNT"),
            "to_account": shop.credential("TO_ACCOUNT"),
            "app_key": shop.credential("APP_KEY"),
            "token": request.token or "",
            "page_index": str(request.page),
            "rows_per_page": str(entity.page_size),
            begin: china_text(request.window.start),
            end: china_text(request.window.end),
        }
        return Call("GET", f"{shop.base_url}/{entity.method}", params=params)

    def page_info(self, entity: EntityApi, body: dict[str, Any]) -> PageInfo:
        try:
            index, count = int(body.get("page_index") or 1), int(body.get("page_count") or 0)
        except (TypeError, ValueError):
            index, count = 1, 0
        total = body.get("row_count")
        return PageInfo(total=int(total) if str(total).isdigit() else None, has_next=index < count)

    def problem(self, body: dict[str, Any]) -> Problem | None:
        code = body.get("errcode")
        if code in (None, 0, "0"):
            return None
        message = str(body.get("errmsg") or "")
        reason = f"errcode={code}, errmsg={message}"
        text = message.lower()
        if any(word in text for word in _THROTTLE_WORDS):
            return Problem("throttle", reason)
        if any(word in text for word in _AUTH_WORDS):
            return Problem("auth", reason)
        return Problem("fatal", reason)


U8 = U8OpenApi()
