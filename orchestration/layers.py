"""The one naming rule: warehouse schema = dbt folder = Dagster group = asset key prefix."""

from __future__ import annotations

from typing import Any

from dagster import AssetKey, AssetSpec

LAYERS = (
    "raw",
    "keys",
    "seeds",
    "staging",
    "intermediate",
    "snapshots",
    "marts",
    "reports",
    "sim",
)


def layer_key(schema: str, name: str) -> AssetKey:
    if schema not in LAYERS:
        raise ValueError(f"unknown layer {schema!r}; layers are {LAYERS}")
    return AssetKey([schema, name])


def layer_spec(schema: str, name: str, **kwargs: Any) -> AssetSpec:
    """An AssetSpec for table `schema.name`, grouped by its schema."""
    return AssetSpec(key=layer_key(schema, name), group_name=schema, **kwargs)
