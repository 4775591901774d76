"""How dbt's nodes appear in Dagster: sources as the loader assets, models grouped by folder.

Shared by the dbt assets (``assets/dbt.py``) and the publication asset (``assets/publishing.py``),
which waits for every mart by its asset key.
"""

import re
from collections.abc import Mapping
from typing import Any

from dagster import AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

RAW_SCHEMA = "raw"


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """Sources map to the loader assets; models group by folder."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            meta = (dbt_resource_props.get("config") or {}).get("meta") or dbt_resource_props.get("meta") or {}
            configured = (meta.get("dagster") or {}).get("asset_key")
            if configured:
                return AssetKey(configured)
            if dbt_resource_props.get("schema") == RAW_SCHEMA:
                return AssetKey([RAW_SCHEMA, dbt_resource_props.get("identifier") or dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type in ("seed", "snapshot"):
            return f"{resource_type}s"
        folders = list(dbt_resource_props.get("fqn", []))[1:-1]  # [project, *folders, name]
        if not folders:
            return "dbt"
        name = f"marts_{folders[1]}" if folders[0] == "marts" and len(folders) > 1 else folders[0]
        return re.sub(r"\W", "_", name)


translator = WarehouseDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
