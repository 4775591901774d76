"""The Dagster code location of bankperf (``workspace.yaml``; ``dagster dev -w workspace.yaml``).

Only assembles: assets and their checks (``assets/``), the job, schedule and sensor, and the resources.
Before loading it outside ``dagster dev``, parse the dbt project and write the instance's
``dagster.yaml`` with ``python -m orchestration``; ``bankperf run`` does both itself.
"""

from __future__ import annotations

from dagster import Definitions

from orchestration.assets.checks import raw_checks
from orchestration.assets.dbt import dbt_models
from orchestration.assets.freshness import raw_freshness_checks
from orchestration.assets.publishing import publication_asset
from orchestration.assets.raw import raw_assets
from orchestration.assets.retention import retention_asset
from orchestration.jobs import nightly_job, raw_freshness_job
from orchestration.resources import warehouse_resources
from orchestration.schedules import nightly_schedule, raw_freshness_schedule
from orchestration.sensors import inbox_ready_sensor

defs = Definitions(
    assets=[*raw_assets, *dbt_models, publication_asset, retention_asset],
    # blocking quality gates on the raw feeds (before dbt reads them), and their freshness
    asset_checks=[*raw_checks, raw_freshness_checks],
    jobs=[nightly_job, raw_freshness_job],
    schedules=[nightly_schedule, raw_freshness_schedule],
    sensors=[inbox_ready_sensor],
    resources=warehouse_resources(),
)
