"""The sources ordersight lands: platform orders and refunds, the U8 ERP and the finance ledger.

Each source is one raw table and one pair of staging models (docs/payloads.md). A platform has
two sources, one per entity: its orders and its refunds (no platform keeps refund amounts on the
order object, docs/domain.md §2a).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """One source system, as every layer names it."""

    name: str  # the source's name in ingest, raw and staging: taobao, jd, …
    code: str  # its code on the board (`source_system`) and, for platforms, the key prefix
    label: str  # what a person reads
    raw_table: str  # table in the raw schema
    native_id_field: str  # payload field holding the source's own id
    staging_model: str  # dbt model with the latest parseable version per native id
    versions_model: str  # dbt model parsing every landed payload (incremental)
    is_platform: bool  # a sales platform (its orders get unified keys)
    money_unit: str  # unit of the source's bare amounts: "yuan" (decimal) or "fen" (integer)
    entity: str = "orders"  # what one object of the source is: ORDERS or REFUNDS
    platform: str | None = None  # the platform source it belongs to (itself for platform orders)

    @property
    def platform_name(self) -> str | None:
        """The platform source this source belongs to: `taobao` for taobao_refunds."""
        return self.platform or (self.name if self.is_platform else None)


ORDERS, REFUNDS = "orders", "refunds"
ENTITIES: tuple[str, ...] = (ORDERS, REFUNDS)

SOURCES: tuple[Source, ...] = (
    Source(
        "taobao",
        "TB",
        "Taobao/Tmall",
        "taobao_trades",
        "tid",
        "stg_taobao__trades",
        "stg_taobao__trade_versions",
        True,
        "yuan",
    ),
    Source(
        "jd",
        "JD",
        "JD",
        "jd_orders",
        "orderId",
        "stg_jd__orders",
        "stg_jd__order_versions",
        True,
        "yuan",
    ),
    Source(
        "pdd",
        "PDD",
        "Pinduoduo",
        "pdd_orders",
        "order_sn",
        "stg_pdd__orders",
        "stg_pdd__order_versions",
        True,
        "yuan",
    ),
    Source(
        "wechat",
        "WX",
        "WeChat shop",
        "wechat_orders",
        "order_id",
        "stg_wechat__orders",
        "stg_wechat__order_versions",
        True,
        "fen",
    ),
    Source(
        "u8",
        "U8",
        "Yonyou U8 ERP",
        "u8_sales_orders",
        "code",
        "stg_u8__sales_orders",
        "stg_u8__sales_order_versions",
        False,
        "yuan",
    ),
    Source(
        "ledger",
        "LEDGER",
        "Finance ledger",
        "ledger_entries",
        "entry_id",
        "stg_ledger__entries",
        "stg_ledger__entry_versions",
        False,
        "yuan",
    ),
    Source(
        "taobao_refunds",
        "TB",
        "Taobao/Tmall refunds",
        "taobao_refunds",
        "refund_id",
        "stg_taobao__refunds",
        "stg_taobao__refund_versions",
        False,
        "yuan",
        REFUNDS,
        "taobao",
    ),
    Source(
        "jd_refunds",
        "JD",
        "JD refunds",
        "jd_refunds",
        "id",
        "stg_jd__refunds",
        "stg_jd__refund_versions",
        False,
        "yuan",
        REFUNDS,
        "jd",
    ),
    Source(
        "pdd_refunds",
        "PDD",
        "Pinduoduo refunds",
        "pdd_refunds",
        "id",
        "stg_pdd__refunds",
        "stg_pdd__refund_versions",
        False,
        "yuan",
        REFUNDS,
        "pdd",
    ),
    Source(
        "wechat_refunds",
        "WX",
        "WeChat shop after-sales",
        "wechat_refunds",
        "after_sale_order_id",
        "stg_wechat__refunds",
        "stg_wechat__refund_versions",
        False,
        "fen",
        REFUNDS,
        "wechat",
    ),
)

MONEY_UNITS = ("yuan", "fen")

#: Where a U8 sales order keeps the platform it came from (TB, JD, PDD, WX) and that platform's
#: order number: user-defined fields whose use differs per merchant (dbt vars `u8_platform_field`,
#: `u8_order_ref_field`; a deployment overrides them, plumbing.settings).
U8_PLATFORM_FIELD = "define1"
U8_ORDER_REF_FIELD = "define2"
_PAYLOAD_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def payload_field_name(name: str) -> str:
    """``name`` when it can name a top-level payload field in SQL, else a ValueError."""
    if not _PAYLOAD_FIELD.match(name):
        raise ValueError(f"{name!r} is not a payload field name (letters, digits, underscores)")
    return name


SOURCES_BY_NAME: dict[str, Source] = {source.name: source for source in SOURCES}
#: The sources of orders (platforms, U8, the ledger): one per source system on the board.
ORDER_SOURCES: tuple[Source, ...] = tuple(source for source in SOURCES if source.entity == ORDERS)
PLATFORMS: tuple[Source, ...] = tuple(source for source in SOURCES if source.is_platform)
#: Each platform's refund source, platforms in board order.
REFUND_SOURCES: tuple[Source, ...] = tuple(
    source
    for platform in PLATFORMS
    for source in SOURCES
    if source.entity == REFUNDS and source.platform == platform.name
)
PLATFORMS_BY_CODE: dict[str, Source] = {platform.code: platform for platform in PLATFORMS}
#: Platform codes in board order: TB, JD, PDD, WX (also the unified-key prefixes).
PLATFORM_CODES: tuple[str, ...] = tuple(PLATFORMS_BY_CODE)
#: Every source system's code in board order: the platforms, then U8 and LEDGER.
SOURCE_SYSTEM_CODES: tuple[str, ...] = tuple(source.code for source in ORDER_SOURCES)
#: (platform, entity) → its source: ("taobao", "refunds") → taobao_refunds.
PLATFORM_ENTITY_SOURCES: dict[tuple[str, str], Source] = {
    (source.platform_name, source.entity): source
    for source in SOURCES
    if source.platform_name is not None
}

#: Digits after the prefix in a unified key: yyyymmdd plus a serial of at least five digits.
KEY_DIGITS_MIN = 13


def unified_key_pattern(*codes: str) -> str:
    """The unified-key regex, for the given platform codes (every platform without any)."""
    unknown = [code for code in codes if code not in PLATFORMS_BY_CODE]
    if unknown:
        raise ValueError(f"unknown platform code(s) {unknown}; known: {', '.join(PLATFORM_CODES)}")
    return f"^({'|'.join(codes or PLATFORM_CODES)})[0-9]{{{KEY_DIGITS_MIN},}}$"


def source_named(name: str) -> Source:
    """The source called `name`, or a ValueError listing the known ones."""
    try:
        return SOURCES_BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown source {name!r}; known: {sorted(SOURCES_BY_NAME)}") from None


def source_called(text: str, entity: str = ORDERS) -> Source:
    """The source `text` names (any case): a source's own name (`taobao`, `taobao_refunds`)
    names it; a platform's code (`TB`, `WX`) or a platform's name with `entity` REFUNDS names
    that platform's refund source."""
    if entity not in ENTITIES:
        raise ValueError(f"unknown entity {entity!r}; expected one of {', '.join(ENTITIES)}")
    wanted = text.strip().lower()
    named = SOURCES_BY_NAME.get(wanted)
    if named is not None and (named.entity != ORDERS or entity == ORDERS):
        return named
    for source in ORDER_SOURCES:
        if wanted in (source.name, source.code.lower()):
            found = PLATFORM_ENTITY_SOURCES.get((source.platform_name or "", entity))
            if found is not None:
                return found
            raise ValueError(f"{source.label} has no {entity} source")
    known = ", ".join(f"{source.name} ({source.code})" for source in ORDER_SOURCES)
    raise ValueError(f"unknown source {text!r}; known: {known}, and the platforms' refund sources")


def platform_coded(code: str) -> Source:
    """The platform whose code is `code` (TB, JD, PDD, WX), or a ValueError."""
    try:
        return PLATFORMS_BY_CODE[code]
    except KeyError:
        raise ValueError(
            f"unknown platform {code!r}; expected one of {', '.join(PLATFORM_CODES)}"
        ) from None
