"""The one partitioning of the warehouse: a business date per partition.

Every partitioned asset (the twelve raw feeds and all dbt models) shares
:data:`daily_partitions`, so a run for a date range means the same dates for the loaders and
for dbt, and Dagster maps partitions one to one along the lineage.

- Days are calendar days in Asia/Shanghai: the core's business date, every day of the week
  (the contract delivers weekends and holidays too).
- ``start``: ``BANKPERF_PARTITIONS_START`` (``YYYY-MM-DD``), default ``2020-01-01`` — early, so
  any history the inbox holds, such as a first day in the previous year, can be chosen. This is
  the one variable read when the definitions are built: the set of partitions is part of their
  shape, not of a run.
- ``end_offset=1``: today's date is a partition too. The core's day-end batch may finish
  (``READY`` written) before midnight, and the sensor should start that day's run at once
  rather than wait for the calendar; the schedule still targets the previous date explicitly.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from dagster import DailyPartitionsDefinition

from orchestration.dagster_internals import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

TIMEZONE = "Asia/Shanghai"
DEFAULT_START = "2020-01-01"
START_VARIABLE = "BANKPERF_PARTITIONS_START"


def _start() -> str:
    text = os.environ.get(START_VARIABLE, DEFAULT_START).strip() or DEFAULT_START
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        message = f"{START_VARIABLE}={text!r} is not a date; write it as YYYY-MM-DD (e.g. 2020-01-01)."
        raise ValueError(message) from None


daily_partitions = DailyPartitionsDefinition(start_date=_start(), timezone=TIMEZONE, end_offset=1)


def partition_key(biz_date: dt.date) -> str:
    """The partition of a business date (``2026-01-05``)."""
    return biz_date.isoformat()


def business_date(key: str) -> dt.date:
    """The business date of a partition key."""
    return dt.date.fromisoformat(key)


def today() -> dt.date:
    """Today's date where the bank is, whatever the machine's clock zone."""
    return dt.datetime.now(ZoneInfo(TIMEZONE)).date()


def dates_of_run(tags: Mapping[str, str]) -> list[dt.date]:
    """The business dates of a run, from its partition tags (a partition, or a range run as one run)."""
    if tags.get(PARTITION_NAME_TAG):
        return [business_date(tags[PARTITION_NAME_TAG])]
    start, end = tags.get(ASSET_PARTITION_RANGE_START_TAG), tags.get(ASSET_PARTITION_RANGE_END_TAG)
    if not (start and end):
        return []
    first, last = business_date(start), business_date(end)
    return [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]
