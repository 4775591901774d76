"""The one job: ``nightly`` builds every asset — the twelve raw feeds, then dbt — for a range of
business dates. A range runs as one run (every asset has ``BackfillPolicy.single_run()``): the
loaders walk its dates in order, dbt builds the whole window once."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

NIGHTLY_JOB_NAME = "nightly"

nightly_job = define_asset_job(
    NIGHTLY_JOB_NAME,
    selection=AssetSelection.all(),  # partitioned by daily_partitions, which every asset shares
    description="Load the day's interface files into raw, then dbt build (tests as checks) over the window.",
)
