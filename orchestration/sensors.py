"""``inbox_ready_sensor``: start a date's nightly run as soon as its delivery is complete.

Files arrive late and in any order; ``READY`` is written last. Every minute the sensor lists
``<inbox>/<YYYYMMDD>/READY`` and asks for one run per *delivery*: the run key is the date and
the READY's modification time, so a re-delivered day (a new READY) runs again while an
unchanged one never does. The cursor remembers the READY time of each date already handled,
so a tick only looks further at new or changed deliveries. A delivery already covered by a
run created after its READY (e.g. ``bankperf run`` on the same instance) is not run twice; a
date beyond the partitions (a clock behind the core's) waits for a later tick. The instance
queue runs one run at a time, so dates are processed in the order they were requested.

On by default: deploying the code location is what turns the nightly automation on.
"""

import json

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SensorResult, sensor

from orchestration.deliveries import covering_run_id, deliveries, ready_time
from orchestration.jobs import nightly_job
from orchestration.partitions import daily_partitions
from orchestration.resources import InboxResource

READY_TAG = "bankperf/ready"


@sensor(
    name="inbox_ready_sensor",
    job=nightly_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Runs `nightly` for a business date when <inbox>/<YYYYMMDD>/READY appears or is rewritten.",
)
def inbox_ready_sensor(context: SensorEvaluationContext, inbox: InboxResource) -> SensorResult:
    handled: dict[str, int] = json.loads(context.cursor) if context.cursor else {}
    requests = []
    for delivery in deliveries(inbox.root()):
        if handled.get(delivery.folder) == delivery.ready_mtime_ns:
            continue
        if not daily_partitions.has_partition_key(delivery.partition_key):
            context.log.info(f"{delivery.ready}: {delivery.partition_key} is not a partition yet; waiting.")
            continue
        handled[delivery.folder] = delivery.ready_mtime_ns
        covering = covering_run_id(context.instance, delivery.partition_key, ready_time(delivery))
        if covering:
            context.log.info(f"{delivery.ready}: already covered by run {covering}.")
            continue
        requests.append(
            RunRequest(
                run_key=delivery.run_key,
                partition_key=delivery.partition_key,
                tags={READY_TAG: str(delivery.ready)},
            )
        )
    return SensorResult(run_requests=requests, cursor=json.dumps(handled, sort_keys=True))
