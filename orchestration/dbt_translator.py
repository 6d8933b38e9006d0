"""Maps dbt nodes onto Dagster assets with the layer rule (orchestration.layers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetDep, AssetSpec
from dagster_dbt import DagsterDbtTranslator, DbtProject

from orchestration.assets.pulls import PULLS_BY_RAW_TABLE
from orchestration.layers import layer_key

RAW_SOURCE_PREFIX = "source.ordersight.raw."


def node_layer(props: Mapping[str, Any]) -> str:
    """The schema a dbt node lives in: its source schema, or its folder's configured schema."""
    if props["resource_type"] == "source":
        return str(props["source_name"])
    return str(props["config"]["schema"])


class LayerTranslator(DagsterDbtTranslator):
    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        layer = node_layer(props)
        name = props["name"]
        attributes: dict[str, Any] = {"key": layer_key(layer, name)}
        if props["resource_type"] != "source":
            attributes["group_name"] = layer
            pulls = [
                AssetDep(key)
                for node in props.get("depends_on", {}).get("nodes", [])
                if node.startswith(RAW_SOURCE_PREFIX)
                for key in PULLS_BY_RAW_TABLE.get(node.removeprefix(RAW_SOURCE_PREFIX), [])
            ]
            if pulls:
                # a model reading a raw table runs after the pulls landing into it
                attributes["deps"] = [*spec.deps, *pulls]
        return spec.replace_attributes(**attributes)
