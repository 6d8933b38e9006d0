"""Ingestion assets: one per (platform, entity), pulling every configured shop's new versions
into raw from its watermark. The 30-minute cycle (orchestration.schedules) runs them before
staging; with no shop configured for a platform its asset does nothing."""

from collections.abc import Callable

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from domain.sources import source_named
from ingest.platforms.api import EntityApi, Platform
from ingest.platforms.errors import PlatformAuthError, PlatformError, RetriesExhausted
from ingest.platforms.pull import PullStats
from ingest.platforms.registry import CONNECTORS, pull_shop
from orchestration.layers import layer_key
from orchestration.resources import ShopsResource, WarehouseResource

COUNTS = ("windows", "pages", "rows", "landed", "quarantined", "retries", "throttled")


def pull_key(platform: Platform, entity: EntityApi) -> AssetKey:
    return layer_key("raw", f"api_{platform.name}_{entity.entity}")


def _pull_asset(platform: Platform, entity: EntityApi) -> AssetsDefinition:
    table = source_named(entity.source).raw_table

    @asset(
        key=pull_key(platform, entity),
        group_name="raw",
        description=f"{platform.label} {entity.entity} pulled from each configured shop "
        f"({entity.method}) into raw.{table}, from each shop's watermark.",
    )
    def _pull(
        context: AssetExecutionContext, warehouse: WarehouseResource, shops: ShopsResource
    ) -> MaterializeResult:
        configured = [shop for shop in shops.shops() if shop.platform == platform.name]
        done: list[PullStats] = []
        failures: list[str] = []
        with warehouse.connect() as conn:
            for shop in configured:
                try:
                    stats = pull_shop(conn, shop, entity.entity)
                except (PlatformAuthError, PlatformError, RetriesExhausted) as error:
                    conn.rollback()
                    context.log.error(str(error))
                    failures.append(str(error))
                    continue
                context.log.info(f"{shop.shop_id}: {stats.metadata()}")
                done.append(stats)
        metadata = _metadata(done, len(configured))
        if failures:
            raise Failure(description="; ".join(failures), metadata=metadata)
        return MaterializeResult(metadata=metadata)

    return _pull


def _metadata(done: list[PullStats], configured: int) -> dict[str, object]:
    total: Callable[[str], int] = lambda name: sum(getattr(s, name) for s in done)  # noqa: E731
    return {
        "shops": configured,
        **{name: total(name) for name in COUNTS},
        "watermarks": MetadataValue.json(
            {s.shop_id: s.watermark.isoformat() if s.watermark else None for s in done}
        ),
    }


PULL_ASSETS = [
    _pull_asset(platform, entity)
    for platform in CONNECTORS.values()
    for entity in platform.entities.values()
]
#: raw table -> the pull assets landing into it (the staging models reading it depend on them).
PULLS_BY_RAW_TABLE: dict[str, list[AssetKey]] = {}
for _platform in CONNECTORS.values():
    for _entity in _platform.entities.values():
        PULLS_BY_RAW_TABLE.setdefault(source_named(_entity.source).raw_table, []).append(
            pull_key(_platform, _entity)
        )
