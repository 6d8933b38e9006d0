"""The ASGI app: one route per platform gateway, faults first, then the platform's checks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ingest import exact_json
from ingest.platform_server import channels, jos, pop, top, yonyou
from ingest.platform_server.state import ServerShop, ServerState

Authenticate = Callable[[ServerState, dict[str, str]], ServerShop | dict]
Handle = Callable[[ServerState, ServerShop, dict[str, str]], dict]


def _json(body: Any, status: int = 200) -> Response:
    return Response(exact_json.dumps(body), status, media_type="application/json")


async def _params(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    if request.method == "POST":
        kind = request.headers.get("content-type", "")
        if kind.startswith("application/json"):
            body = exact_json.loads((await request.body()).decode() or "{}")
            params.update(
                {
                    k: exact_json.dumps(v) if isinstance(v, dict | list) else str(v)
                    for k, v in body.items()
                }
            )
        else:
            params.update(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    return params


def _text(value: Any) -> str:
    return exact_json.dumps(value) if isinstance(value, dict | list) else str(value)


def gateway(
    state: ServerState,
    platform: str,
    authenticate: Authenticate,
    handle: Handle,
    throttled: Callable[[], tuple[int, dict]],
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        params = await _params(request)
        state.calls.append((platform, params))
        while state.should_hold():
            await asyncio.sleep(0.02)
            if state.release.is_set():
                break
        fault = state.draw_fault()
        if fault == "server_error":
            state.count(platform, "5xx")
            return Response("Bad Gateway", 502)
        if fault == "throttle":
            state.count(platform, "throttled")
            status, body = throttled()
            return _json(body, status)
        if fault == "timeout":
            state.count(platform, "timeout")
            await asyncio.sleep(state.faults.timeout_seconds)
            return Response("", 504)
        shop = authenticate(state, params)
        if isinstance(shop, dict):
            state.count(platform, "refused")
            return _json(shop)
        body = handle(state, shop, params)
        state.count(platform, "error" if _is_error(body) else "ok", shop.shop_id)
        text = exact_json.dumps(body)
        if fault == "truncated":
            state.count(platform, "truncated")
            return Response(text[: len(text) // 2], 200, media_type="application/json")
        return Response(text, 200, media_type="application/json")

    return endpoint


def _is_error(body: dict) -> bool:
    return "error_response" in body or body.get("errcode") not in (None, 0, "0")


def build_app(state: ServerState) -> Starlette:
    """The local platform server's app over `state`."""
    wechat = ("wechat", channels.authenticate_token)
    apis = [
        ("/router/rest", "taobao", top.authenticate, top.handle, top.throttled),
        ("/routerjson", "jd", jos.authenticate, jos.handle, jos.throttled),
        ("/api/router", "pdd", pop.authenticate, pop.handle, pop.throttled),
        ("/cgi-bin/token", "wechat", channels.authenticate_app, channels.issue_token, None),
        ("/channels/ec/order/list/get", *wechat, channels.list_orders, None),
        ("/channels/ec/order/get", *wechat, channels.get_order, None),
        ("/channels/ec/aftersale/getaftersalelist", *wechat, channels.list_aftersales, None),
        ("/channels/ec/aftersale/getaftersaleorder", *wechat, channels.get_aftersale, None),
        ("/system/token", "u8", yonyou.authenticate_app, yonyou.issue_token, yonyou.throttled),
        (
            "/api/saleorderlist/batch_get",
            "u8",
            yonyou.authenticate_token,
            yonyou.list_orders,
            yonyou.throttled,
        ),
    ]
    routes = [
        Route(
            path,
            gateway(state, platform, authenticate, handle, throttled or channels.throttled),
            methods=["GET", "POST"],
        )
        for path, platform, authenticate, handle, throttled in apis
    ]
    return Starlette(routes=routes)
