"""The few names bankperf takes from Dagster's private modules (``dagster._core``), in one place.

Dagster does not export these from its public API, but the run tags are how a run says which
partitions it covers, and the sensor needs to know which runs are still going. When a Dagster
upgrade moves them, this is the one file to change.
"""

from dagster._core.storage.dagster_run import NOT_FINISHED_STATUSES
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

__all__ = [
    "ASSET_PARTITION_RANGE_END_TAG",
    "ASSET_PARTITION_RANGE_START_TAG",
    "NOT_FINISHED_STATUSES",
    "PARTITION_NAME_TAG",
]
