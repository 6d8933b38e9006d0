"""The unified-key asset: allocates a key for every staged platform order that has none yet."""

from dagster import AssetExecutionContext, MaterializeResult, asset

from domain.sources import PLATFORMS
from ingest.keys import allocate_keys, ensure_schema, staged_refs_without_key
from orchestration.layers import layer_key
from orchestration.resources import WarehouseResource


@asset(
    key=layer_key("keys", "order_keys"),
    group_name="keys",
    deps=[layer_key("staging", source.staging_model) for source in PLATFORMS],
)
def order_keys(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    """Unified order keys, one per (platform, native id), allocated once and never changed."""
    with warehouse.connect() as reader, warehouse.connect() as writer:
        ensure_schema(writer)
        writer.commit()
        result = allocate_keys(writer, staged_refs_without_key(reader))
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
