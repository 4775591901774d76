"""Raw retention as the nightly job's last step (:mod:`loaders.retention`; README "Scale").

``raw_retention`` runs after ``publication`` succeeded: when ``BANKPERF_RAW_RETENTION_DAYS`` is set,
it archives each of the run's delivered days (data, control files and ``READY``, as delivered, to
``$BANKPERF_ARCHIVE/<YYYY>/<YYYYMMDD>.tar.gz``; an archive already there is kept) and drops the raw
partitions of the published, archived dates older than the last published date minus that many
days. Unset, it archives and drops nothing and says so: retention is the bank's decision (the
delivered files are the record), not a default. ``bankperf raw archive|prune`` do the same by hand.
A failure here leaves the run's dates published (the job's failure hook skips this step).
"""

import warnings

from dagster import (
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    BetaWarning,
    MaterializeResult,
    MetadataValue,
    asset,
)

from loaders.retention import RETENTION_VARIABLE, archive_day, archive_path, drop_old_partitions, retention_days
from orchestration.assets.publishing import PUBLICATION_KEY, RETENTION_STEP
from orchestration.partitions import business_date, daily_partitions
from orchestration.resources import InboxResource

RETENTION_KEY = AssetKey([RETENTION_STEP])


def _define_retention():
    @asset(
        key=RETENTION_KEY,
        group_name="publication",
        deps=[PUBLICATION_KEY],
        partitions_def=daily_partitions,
        backfill_policy=BackfillPolicy.single_run(),
        kinds={"python", "postgres"},
        description=(
            f"After publication, when {RETENTION_VARIABLE} is set: archives the run's delivered days "
            "(.tar.gz with their control files and READY) and drops the raw partitions of published, archived "
            "dates older than the last published date minus that many days. `bankperf load` reloads an archived "
            "date. Unset: nothing is archived or dropped."
        ),
    )
    def raw_retention(context: AssetExecutionContext, inbox: InboxResource) -> MaterializeResult:
        keep_days = retention_days()
        if keep_days is None:
            context.log.info(f"raw retention is off ({RETENTION_VARIABLE} not set): nothing archived or dropped")
            return MaterializeResult(metadata={"retention": MetadataValue.text("off")})
        dates = [business_date(key) for key in context.partition_keys]
        archived = []
        for day in dates:
            # a date reloaded from its archive has no folder in the inbox any more: its archive stays
            target = archive_path(day)
            archived.append(str(target if target.is_file() else archive_day(inbox.root(), day)))
        dropped = drop_old_partitions(keep_days)
        context.log.info(
            f"archived {len(archived)} delivered day(s); dropped the raw partitions of {len(dropped)} date(s) "
            f"older than the last published date minus {keep_days} day(s)"
        )
        return MaterializeResult(
            metadata={
                "retention": MetadataValue.text(f"{keep_days} days"),
                "archives": MetadataValue.json(archived),
                "dropped_dates": MetadataValue.text(", ".join(f"{day:%Y-%m-%d}" for day in dropped) or "none"),
            }
        )

    return raw_retention


with warnings.catch_warnings():  # backfill_policy on @asset is "beta" in this Dagster; relied on knowingly
    warnings.simplefilter("ignore", BetaWarning)
    retention_asset = _define_retention()
