"""``nightly_schedule``: 06:00 Asia/Shanghai, the previous business date — the safety net.

The sensor normally builds a date as soon as its READY appears. At 06:00 the schedule asks for
the previous date unless a run created after its READY already succeeded or is under way. If
the READY is still missing the run goes ahead and fails on the raw assets with the loader's
message naming the file: a late delivery becomes a visible failed run, not silence.

Equivalent to ``build_schedule_from_partitioned_job`` except for the target: with
``end_offset=1`` the last partition is today, and the nightly wants yesterday.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SkipReason,
    schedule,
)

from orchestration.deliveries import covering_run_id, delivery_of, ready_time
from orchestration.jobs import nightly_job, raw_freshness_job
from orchestration.partitions import TIMEZONE, partition_key
from orchestration.resources import InboxResource


def previous_business_date(moment: dt.datetime) -> dt.date:
    """The business date a run at ``moment`` is for: the day before, in the bank's time zone."""
    return moment.astimezone(ZoneInfo(TIMEZONE)).date() - dt.timedelta(days=1)


@schedule(
    name="nightly_schedule",
    job=nightly_job,
    cron_schedule="0 6 * * *",
    execution_timezone=TIMEZONE,
    default_status=DefaultScheduleStatus.RUNNING,
    description="06:00 Asia/Shanghai: the nightly run for the previous business date, unless already covered.",
)
def nightly_schedule(context: ScheduleEvaluationContext, inbox: InboxResource) -> RunRequest | SkipReason:
    biz_date = previous_business_date(context.scheduled_execution_time)
    key = partition_key(biz_date)
    delivery = delivery_of(inbox.root(), biz_date)
    if delivery is not None:
        covering = covering_run_id(context.instance, key, ready_time(delivery))
        if covering:
            return SkipReason(f"{key} is already built from {delivery.ready} by run {covering}.")
    return RunRequest(run_key=f"schedule:{key}:{delivery.run_key if delivery else 'no-ready'}", partition_key=key)


raw_freshness_schedule = ScheduleDefinition(
    name="raw_freshness_schedule",
    job=raw_freshness_job,
    cron_schedule="15 * * * *",
    execution_timezone=TIMEZONE,
    default_status=DefaultScheduleStatus.RUNNING,
    description="Every hour: is each raw feed's latest business date within dbt's source freshness?",
)
