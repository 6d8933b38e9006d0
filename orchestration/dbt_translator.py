"""Maps dbt nodes onto Dagster assets with the layer rule (orchestration.layers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetSpec
from dagster_dbt import DagsterDbtTranslator, DbtProject

from orchestration.layers import layer_key


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
        return spec.replace_attributes(**attributes)
