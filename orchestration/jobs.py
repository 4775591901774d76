"""The one job: ``nightly`` builds every asset — the twelve raw feeds, then dbt — for a range of
business dates. A range runs as one run (every asset has ``BackfillPolicy.single_run()``): the
loaders walk its dates in order, dbt builds the whole window once.

Its steps run in the run's own process (``in_process_executor``), one after another, as in
``bankperf run``: a step in a subprocess of its own first spends longer importing the
definitions (and, under ``dagster dev``, re-parsing dbt) than a feed takes to load, and the
day's work is one ``dbt build`` anyway.

The last asset, ``publication``, publishes the run's dates once everything passed; when a step fails
instead, the job's failure hook records the dates as FAILED or WITHHELD with the reason
(``assets/publishing.py``)."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

from orchestration.assets.freshness import raw_freshness_checks
from orchestration.assets.publishing import publication_on_failure

NIGHTLY_JOB_NAME = "nightly"
FRESHNESS_JOB_NAME = "raw_freshness_job"

nightly_job = define_asset_job(
    NIGHTLY_JOB_NAME,
    # every asset (partitioned by daily_partitions, which they all share) and its checks, but
    # freshness: that is about the clock, not about the run's dates (raw_freshness_job)
    selection=AssetSelection.all() - AssetSelection.checks(raw_freshness_checks),
    executor_def=in_process_executor,
    hooks={publication_on_failure},  # a failed step records why the run's dates are not published
    description=(
        "Load the day's interface files into raw, then dbt build (tests as checks) over the window, "
        "then publish the dates (or record why not)."
    ),
)

raw_freshness_job = define_asset_job(
    FRESHNESS_JOB_NAME,
    selection=AssetSelection.checks(raw_freshness_checks),
    executor_def=in_process_executor,
    description="Source freshness of the raw feeds (dbt's thresholds): warnings only, nothing is built.",
)
