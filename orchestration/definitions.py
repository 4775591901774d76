"""The Dagster code location of bankperf (``workspace.yaml``; ``dagster dev -w workspace.yaml``).

Only assembles: assets and their checks (``assets/``), the job, schedule and sensor, and the resources.
Before loading it outside ``dagster dev``, parse the dbt project and write the instance's
``dagster.yaml`` with ``python -m orchestration``; ``bankperf run`` does both itself.
"""

from __future__ import annotations

from dagster import Definitions

from orchestration.assets.checks import raw_checks
from orchestration.assets.dbt import dbt_models
from orchestration.assets.publishing import publication_asset
from orchestration.assets.raw import raw_assets
from orchestration.jobs import nightly_job
from orchestration.resources import warehouse_resources
from orchestration.schedules import nightly_schedule
from orchestration.sensors import inbox_ready_sensor

defs = Definitions(
    assets=[*raw_assets, dbt_models, publication_asset],
    asset_checks=raw_checks,  # blocking quality gates on the raw feeds (before dbt reads them)
    jobs=[nightly_job],
    schedules=[nightly_schedule],
    sensors=[inbox_ready_sensor],
    resources=warehouse_resources(),
)
