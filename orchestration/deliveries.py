"""What the inbox holds and what has been built from it: shared by the sensor and the schedule.

A business date is *delivered* when ``<inbox>/<YYYYMMDD>/READY`` exists; the READY file's
modification time identifies the delivery (a re-delivered day writes a new READY). A
delivery is *covered* when a ``nightly`` run that includes its date was created after that
READY and has succeeded or is still queued or running — whether the sensor, the schedule,
the launchpad or ``bankperf run`` (same instance) started it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

from orchestration.dagster_internals import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    NOT_FINISHED_STATUSES,
    PARTITION_NAME_TAG,
)
from orchestration.jobs import NIGHTLY_JOB_NAME
from orchestration.partitions import partition_key

_DAY_FOLDER = re.compile(r"\d{8}")


@dataclass(frozen=True)
class Delivery:
    """A day whose READY exists."""

    biz_date: dt.date
    ready: Path
    ready_mtime_ns: int

    @property
    def folder(self) -> str:
        return f"{self.biz_date:%Y%m%d}"

    @property
    def partition_key(self) -> str:
        return partition_key(self.biz_date)

    @property
    def run_key(self) -> str:
        """One run per delivery: the date and its READY's modification time."""
        return f"{self.folder}:{self.ready_mtime_ns}"


def deliveries(inbox: Path) -> list[Delivery]:
    """Every ``<YYYYMMDD>/READY`` in the inbox, in date order (an absent inbox holds none)."""
    found = []
    if not inbox.is_dir():
        return found
    for folder in inbox.iterdir():
        ready = folder / "READY"
        if not _DAY_FOLDER.fullmatch(folder.name) or not ready.is_file():
            continue
        try:
            biz_date = dt.datetime.strptime(folder.name, "%Y%m%d").date()
        except ValueError:  # 8 digits that are no date, e.g. 20261399
            continue
        found.append(Delivery(biz_date, ready, ready.stat().st_mtime_ns))
    return sorted(found, key=lambda delivery: delivery.biz_date)


def contiguous_from(delivered: Sequence[Delivery], first: Delivery) -> list[Delivery]:
    """``first`` and the deliveries of the days right after it, up to the first day without READY.

    Window-driven incremental models carry state from day to day (running sums, open versions),
    so rebuilding a day means rebuilding every later day already built; a run can only go as
    far as the days that are delivered."""
    by_date = {delivery.biz_date: delivery for delivery in delivered}
    chain = [first]
    while (following := by_date.get(chain[-1].biz_date + dt.timedelta(days=1))) is not None:
        chain.append(following)
    return chain


def delivery_of(inbox: Path, biz_date: dt.date) -> Delivery | None:
    """The delivery of one date, or None while its READY is missing."""
    ready = inbox / f"{biz_date:%Y%m%d}" / "READY"
    return Delivery(biz_date, ready, ready.stat().st_mtime_ns) if ready.is_file() else None


def _covers(tags: dict[str, str], key: str) -> bool:
    if tags.get(PARTITION_NAME_TAG) == key:
        return True
    start, end = tags.get(ASSET_PARTITION_RANGE_START_TAG), tags.get(ASSET_PARTITION_RANGE_END_TAG)
    return bool(start and end and start <= key <= end)  # ISO dates sort as strings


def covering_run_id(instance: DagsterInstance, key: str, since: dt.datetime | None) -> str | None:
    """The id of a nightly run including partition ``key``, created after ``since``, that succeeded
    or has not finished yet; None if there is none (the date still needs a run)."""
    records = instance.get_run_records(
        RunsFilter(
            job_name=NIGHTLY_JOB_NAME,
            statuses=[DagsterRunStatus.SUCCESS, *NOT_FINISHED_STATUSES],
            created_after=since,
        )
    )
    for record in records:
        if _covers(dict(record.dagster_run.tags), key):
            return record.dagster_run.run_id
    return None


def ready_time(delivery: Delivery) -> dt.datetime:
    """The READY's modification time, as an aware datetime."""
    return dt.datetime.fromtimestamp(delivery.ready_mtime_ns / 1e9, tz=dt.UTC)
