"""``inbox_ready_sensor``: start the nightly run as soon as a day's delivery is complete.

Files arrive late and in any order; ``READY`` is written last. Every minute the sensor lists
``<inbox>/<YYYYMMDD>/READY``; a *delivery* is a date with the modification time of its READY,
so a re-delivered day (a new READY) runs again while an unchanged one never does. The cursor
maps each date handled to that time, so a tick only looks at new or changed deliveries.

What a new delivery of date D asks for:

- nothing, if a ``nightly`` run created after its READY already includes D (succeeded or still
  queued/running — ``bankperf run`` on the same instance counts);
- otherwise ONE run over D and the delivered days right after it (up to the first day
  without READY): the window-driven incremental models carry state from day to day and refuse
  to rebuild a day without the later days already built (``assert_window_is_latest``), so a
  late or corrected old day rebuilds the chain after it in one ``dbt build``. The usual night
  — the newest day arrives — is a run of that one day. Later deliveries inside the range are
  handled by it.

No date is published out of order (:mod:`bankperf.publication`): a delivery whose previous day is
not published — not delivered yet, still running, or failed — waits, with the reason as the tick's
skip message, and is not marked handled; it runs alone once the previous day is published, or
together with it when the previous day is (re-)delivered, since that day's chain includes it.

A date beyond the partitions (a clock behind the core's) waits for a later tick. The instance
queue runs one run at a time (``orchestration/instance.py``), so requests run in order.

On by default: deploying the code location is what turns the nightly automation on.
"""

import json
from pathlib import Path

import psycopg
from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SensorResult, sensor

from bankperf.publication import predecessor_problem
from orchestration.dagster_internals import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG
from orchestration.deliveries import Delivery, contiguous_from, covering_run_id, deliveries, ready_time
from orchestration.jobs import nightly_job
from orchestration.partitions import daily_partitions
from orchestration.resources import DatabaseResource, InboxResource

READY_TAG = "bankperf/ready"


def run_request_for(chain: list[Delivery]) -> RunRequest:
    """One run over the chain's dates: a partition, or a partition range run as one run."""
    first, last = chain[0], chain[-1]
    tags = {READY_TAG: str(first.ready)}
    if first is last:
        return RunRequest(run_key=first.run_key, partition_key=first.partition_key, tags=tags)
    tags |= {ASSET_PARTITION_RANGE_START_TAG: first.partition_key, ASSET_PARTITION_RANGE_END_TAG: last.partition_key}
    return RunRequest(run_key=f"{first.run_key}..{last.folder}", tags=tags)


@sensor(
    name="inbox_ready_sensor",
    job=nightly_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Runs `nightly` when <inbox>/<YYYYMMDD>/READY appears or changes (and the delivered days after it).",
)
def inbox_ready_sensor(
    context: SensorEvaluationContext, inbox: InboxResource, database: DatabaseResource
) -> SensorResult:
    handled: dict[str, int] = json.loads(context.cursor) if context.cursor else {}
    delivered = [
        delivery for delivery in deliveries(inbox.root()) if daily_partitions.has_partition_key(delivery.partition_key)
    ]
    requests = []
    waiting: list[str] = []
    for delivery in delivered:
        if handled.get(delivery.folder) == delivery.ready_mtime_ns:
            continue
        covering = covering_run_id(context.instance, delivery.partition_key, ready_time(delivery))
        if covering:
            context.log.info(f"{delivery.ready}: already covered by run {covering}.")
            handled[delivery.folder] = delivery.ready_mtime_ns
            continue
        waits = _predecessor_problem(context, delivery, inbox.root(), database)
        if waits:
            waiting.append(f"{delivery.ready}: waits. {waits}")
            continue
        chain = contiguous_from(delivered, delivery)
        handled.update({day.folder: day.ready_mtime_ns for day in chain})
        requests.append(run_request_for(chain))
        context.log.info(f"{delivery.ready}: run for {chain[0].partition_key} .. {chain[-1].partition_key}.")
    for message in waiting:
        context.log.info(message)
    return SensorResult(
        run_requests=requests,
        cursor=json.dumps(handled, sort_keys=True),
        skip_reason="\n".join(waiting) if waiting and not requests else None,
    )


def _predecessor_problem(
    context: SensorEvaluationContext, delivery: Delivery, root: Path, database: DatabaseResource
) -> str | None:
    """Why the delivery may not run yet (its previous day is not published), or None. Only reads:
    a tick creates nothing (before the first run there is no publication log, and no predecessor)."""
    try:
        with database.connect() as conn:
            return predecessor_problem(conn, delivery.biz_date, root)
    except psycopg.OperationalError as exc:  # the run's own gate decides when the database is back
        context.log.warning(f"publication state not readable ({str(exc).strip()}); requesting the run anyway.")
        return None
