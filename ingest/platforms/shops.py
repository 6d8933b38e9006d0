"""The merchant's shops and their credentials, read from the environment when a pull runs.

`ORDERSIGHT_SHOPS` lists the shops as `platform:shop_id` pairs separated by commas
(`taobao:tb_flagship,taobao:tb_outlet,pdd:pdd_main`); each shop's credentials come from
`ORDERSIGHT_SHOP_<SHOP_ID>_<NAME>` (the names each platform needs are in its module and in
docs/connectors.md), its API address from `ORDERSIGHT_SHOP_<SHOP_ID>_BASE_URL` (the platform's
gateway when unset) and the first instant to pull from `ORDERSIGHT_SHOP_<SHOP_ID>_START`
(ISO 8601; one day back when unset).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

SHOPS_VARIABLE = "ORDERSIGHT_SHOPS"
_SHOP_ID = re.compile(r"^[A-Za-z0-9_]{1,40}$")

Getenv = Callable[[str], str | None]


class ShopConfigError(ValueError):
    """The shop configuration is incomplete or malformed; the message names the variable."""


@dataclass(frozen=True)
class Shop:
    """One shop on one platform, with what its platform's API needs to sign a request."""

    platform: str  # a domain.sources platform or the U8 source name: taobao, jd, pdd, wechat, u8
    shop_id: str
    base_url: str
    credentials: Mapping[str, str] = field(repr=False)  # never printed: secrets
    start: datetime | None = None

    def credential(self, name: str) -> str:
        return self.credentials[name]


def variable(shop_id: str, name: str) -> str:
    """The environment variable holding `name` for this shop."""
    return f"ORDERSIGHT_SHOP_{shop_id.upper()}_{name}"


def configured_shops(
    getenv: Getenv,
    platforms: Mapping[str, tuple[str, tuple[str, ...]]],
) -> list[Shop]:
    """The shops `ORDERSIGHT_SHOPS` lists. `platforms` maps a platform name to its default base
    URL and the credential names it needs; a missing credential is a ShopConfigError."""
    listed = (getenv(SHOPS_VARIABLE) or "").strip()
    shops: list[Shop] = []
    seen: set[str] = set()
    for entry in filter(None, (part.strip() for part in listed.split(","))):
        platform, _, shop_id = entry.partition(":")
        platform = platform.strip().lower()
        shop_id = shop_id.strip()
        if platform not in platforms:
            raise ShopConfigError(
                f"{SHOPS_VARIABLE}: {entry!r} names no known platform "
                f"(known: {', '.join(sorted(platforms))}); write platform:shop_id"
            )
        if not _SHOP_ID.match(shop_id):
            raise ShopConfigError(
                f"{SHOPS_VARIABLE}: shop id {shop_id!r} must be 1-40 letters, digits or _"
            )
        if shop_id.lower() in seen:
            raise ShopConfigError(f"{SHOPS_VARIABLE}: shop {shop_id!r} is listed twice")
        seen.add(shop_id.lower())
        default_url, names = platforms[platform]
        missing = [variable(shop_id, name) for name in names if not getenv(variable(shop_id, name))]
        if missing:
            raise ShopConfigError(
                f"{platform} shop {shop_id!r}: set {', '.join(missing)} (docs/connectors.md)"
            )
        credentials = {name: str(getenv(variable(shop_id, name))) for name in names}
        shops.append(
            Shop(
                platform=platform,
                shop_id=shop_id,
                base_url=(getenv(variable(shop_id, "BASE_URL")) or default_url).rstrip("/"),
                credentials=credentials,
                start=_start(shop_id, getenv(variable(shop_id, "START"))),
            )
        )
    return shops


def _start(shop_id: str, text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ShopConfigError(f"{variable(shop_id, 'START')}: {text!r} is not ISO 8601") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
