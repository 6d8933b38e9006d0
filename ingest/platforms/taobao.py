"""Taobao/Tmall TOP: `taobao.trades.sold.increment.get` (orders) and `taobao.refunds.receive.get`
(refunds), signed with md5 (sign_method=md5).

Windows by modified time (`start_modified`/`end_modified`, China time; TOP accepts up to one
day, we ask for 30 minutes). The result is sorted by modified time descending, so a window is
paged from its last page to its first. Error codes (`error_response.code`): 7 throttled
("This ban will last for N more seconds"), 25 invalid signature, 26/27 missing/invalid session,
11 insufficient permissions, 15 and `isp.*` remote-service faults (retried).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ingest.platforms.api import Call, EntityApi, PageInfo, PageRequest, Platform, Problem
from ingest.platforms.fields import KNOWN_FIELDS
from ingest.platforms.shops import Shop
from ingest.platforms.signing import china_text, epoch_text, md5_wrapped_sign

if TYPE_CHECKING:
    from ingest.platforms.session import ShopSession

GATEWAY = "https://eco.taobao.com/router/rest"
#: TOP returns only the fields asked for: ask for every field ordersight knows of each object.
TRADE_FIELDS = ",".join(sorted(KNOWN_FIELDS["taobao"]))
REFUND_FIELDS = ",".join(sorted(KNOWN_FIELDS["taobao_refunds"]))
ORDERS = EntityApi(
    entity="orders",
    source="taobao",
    method="taobao.trades.sold.increment.get",
    paging="backward",
    page_size=100,
    response="trades_sold_increment_get_response",
    fields=TRADE_FIELDS,
)
REFUNDS = EntityApi(
    entity="refunds",
    source="taobao_refunds",
    method="taobao.refunds.receive.get",
    paging="backward",
    page_size=100,
    response="refunds_receive_get_response",
    fields=REFUND_FIELDS,
)
#: The key of the list inside each entity's page (TOP leaves it out of an empty page).
LIST_KEY = {"orders": "trades", "refunds": "refunds"}
AUTH_CODES = {
    "11": "insufficient permissions",
    "25": "invalid signature",
    "26": "missing session",
    "27": "invalid session (expired or revoked authorisation)",
}
THROTTLE_CODE = "7"
RETRIED_CODES = {"15", "520"}
_BAN = re.compile(r"ban will last for (\d+) more seconds")


class Taobao(Platform):
    name = "taobao"
    label = "Taobao/Tmall"
    default_base_url = GATEWAY
    credential_names = ("APP_KEY", "APP_SECRET", "SESSION")
    entities = {"orders": ORDERS, "refunds": REFUNDS}

    def page_call(self, shop: Shop, entity: EntityApi, request: PageRequest) -> Call:
        window = request.window
        params = {
            "method": entity.method,
            "app_key": shop.credential("APP_KEY"),
            "session": shop.credential("SESSION"),
            "timestamp": china_text(epoch_text(request.now)),
            "format": "json",
            "v": "2.0",
            "sign_method": "md5",
            "fields": entity.fields,
            "start_modified": china_text(window.start),
            "end_modified": china_text(window.end),
            "page_no": str(request.page),
            "page_size": str(entity.page_size),
            "use_has_next": "false",
        }
        params["sign"] = md5_wrapped_sign(params, shop.credential("APP_SECRET"))
        return Call("POST", shop.base_url, form=params)

    def page_info(self, entity: EntityApi, body: dict[str, Any]) -> PageInfo:
        inner = body.get(entity.response) or {}
        return PageInfo(
            total=int(inner.get("total_results") or 0), has_next=bool(inner.get("has_next"))
        )

    def responses(
        self, session: ShopSession, entity: EntityApi, body: dict[str, Any]
    ) -> list[dict[str, Any]]:
        # TOP leaves `trades` out of an empty page: nothing to unwrap, nothing to keep aside
        inner = body.get(entity.response)
        return [body] if not isinstance(inner, dict) or LIST_KEY[entity.entity] in inner else []

    def problem(self, body: dict[str, Any]) -> Problem | None:
        error = body.get("error_response")
        if not isinstance(error, dict):
            return None
        code = str(error.get("code", ""))
        sub_code = str(error.get("sub_code") or "")
        reason = ", ".join(
            f"{key}={error[key]}"
            for key in ("code", "msg", "sub_code", "sub_msg")
            if error.get(key)
        )
        if code in AUTH_CODES:
            return Problem("auth", f"{AUTH_CODES[code]} ({reason})")
        if code == THROTTLE_CODE:
            ban = _BAN.search(str(error.get("sub_msg") or ""))
            return Problem("throttle", reason, wait=float(ban.group(1)) if ban else 0.0)
        if code in RETRIED_CODES or sub_code.startswith("isp."):
            return Problem("transient", reason)
        return Problem("fatal", reason)


TAOBAO = Taobao()
