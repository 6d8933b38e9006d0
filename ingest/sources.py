"""The sources ordersight lands, their raw tables and native ids (see platforms/PAYLOADS.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    name: str
    raw_table: str
    native_id_field: str
    platform_code: str | None  # unified-key prefix; None for the ERP and the ledger
    staging_model: str  # dbt model with the latest parseable version per native id


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source("taobao", "taobao_trades", "tid", "TB", "stg_taobao__trades"),
        Source("jd", "jd_orders", "orderId", "JD", "stg_jd__orders"),
        Source("pdd", "pdd_orders", "order_sn", "PDD", "stg_pdd__orders"),
        Source("wechat", "wechat_orders", "order_id", "WX", "stg_wechat__orders"),
        Source("u8", "u8_sales_orders", "csocode", None, "stg_u8__sales_orders"),
        Source("ledger", "ledger_entries", "entry_id", None, "stg_ledger__entries"),
    )
}

PLATFORM_SOURCES: tuple[Source, ...] = tuple(s for s in SOURCES.values() if s.platform_code)
