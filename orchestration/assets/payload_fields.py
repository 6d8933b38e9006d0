"""The new-fields asset: fields outside each source's known list, reported once per source."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from domain.sources import SOURCES
from ingest.payload_fields import scan_new_fields
from orchestration.layers import layer_key
from orchestration.resources import WarehouseResource


@asset(
    key=layer_key("raw", "payload_fields"),
    group_name="raw",
    deps=[layer_key("raw", source.raw_table) for source in SOURCES],
)
def payload_fields(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    """Fields seen in landed payloads outside the source's known list, with the first payload
    that carried each; a field is reported in the run that first sees it, then only counted."""
    with warehouse.connect() as conn:
        scan = scan_new_fields(conn)
        known_unknown = conn.execute(
            "select source, count(*) from raw.payload_fields group by source order by source"
        ).fetchall()
    new = scan.new_by_source()
    for source, fields in new.items():
        context.log.warning(
            f"{source}: {len(fields)} field(s) not in its known list, kept in raw and "
            f"reported once: {', '.join(fields)}"
        )
    lines = [
        f"| {n.source} | `{n.field}` | {n.first_raw_id} | {n.payloads:,} |" for n in scan.new_fields
    ]
    table = "\n".join(["| source | field | first raw_id | payloads |", "|---|---|---|---|", *lines])
    return MaterializeResult(
        metadata={
            "new_fields": len(scan.new_fields),
            "new_fields_by_source": MetadataValue.md(table if lines else "none"),
            "payloads_scanned": sum(scan.scanned.values()),
            "unknown_fields_per_source": MetadataValue.json(dict(known_unknown)),
        }
    )
