"""The unified-key asset: allocates a key for every staged platform order that has none yet."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
from dagster import AssetExecutionContext, MaterializeResult, asset

from ingest.keys import OrderRef, allocate_keys, ensure_schema
from ingest.sources import PLATFORM_SOURCES
from orchestration.layers import layer_key
from orchestration.resources import WarehouseResource


def _unkeyed_orders_sql() -> str:
    selects = [
        f"select '{source.platform_code}'::text as platform, native_id, created_at "
        f"from staging.{source.staging_model}"
        for source in PLATFORM_SOURCES
    ]
    return f"""
        with staged as ({" union all ".join(selects)})
        select staged.platform, staged.native_id,
               (staged.created_at at time zone 'Asia/Shanghai')::date as created_date
        from staged
        where not exists (
            select 1 from keys.order_keys k
            where k.platform = staged.platform and k.native_id = staged.native_id
        )
        order by staged.created_at, staged.platform, staged.native_id
    """


def _stream_unkeyed(conn: psycopg.Connection) -> Iterator[OrderRef]:
    with conn.cursor(name="unkeyed_orders") as cur:
        cur.itersize = 20_000
        cur.execute(_unkeyed_orders_sql())
        for platform, native_id, created_date in cur:
            yield OrderRef(platform=platform, native_id=native_id, created_date=created_date)


@asset(
    key=layer_key("keys", "order_keys"),
    group_name="keys",
    deps=[layer_key("staging", source.staging_model) for source in PLATFORM_SOURCES],
)
def order_keys(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    """Unified order keys, one per (platform, native id), allocated once and never changed."""
    with warehouse.connect() as reader, warehouse.connect() as writer:
        ensure_schema(writer)
        writer.commit()
        result = allocate_keys(writer, _stream_unkeyed(reader))
        total = writer.execute("select count(*) from keys.order_keys").fetchone()[0]
    context.log.info(
        f"allocated {result.allocated_lock:,} keys under the lock and "
        f"{result.allocated_snowflake:,} by the Snowflake fallback; {total:,} keys in all"
    )
    return MaterializeResult(
        metadata={
            "allocated_lock": result.allocated_lock,
            "allocated_snowflake": result.allocated_snowflake,
            "total_keys": total,
        }
    )
