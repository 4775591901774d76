"""One asset per interface feed: ``raw/<table>``, group ``raw``, a partition per business date.

Each asset loads its feed for every date of the run's partition range, in date order, with
the project's loader (:mod:`loaders.load`): the same atomic ``COPY``, control-file checks and
audit trail as ``bankperf load``. A date whose delivery has no ``READY``, does not list the
feed, or fails the contract stops the asset with a :class:`dagster.Failure` carrying the
loader's message (it names the file and what is wrong) — Dagster then skips the dbt models
downstream, so nothing is built on a day that is not fully loaded. Dates loaded before the
failure stay loaded (each feed-date is its own transaction).

The ``nightly`` job runs its steps one after another, but materializing assets from the UI's
asset graph uses Dagster's multiprocess executor, so loads of different feeds may run in
parallel; the one step that must not — creating the raw and audit tables on a fresh database
(concurrent ``create ... if not exists`` / ``comment on`` collide) — holds a PostgreSQL
advisory lock.
"""

import datetime as dt
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    BetaWarning,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from loaders.contract import Feed, feeds
from loaders.delivery import DeliveryError, ready_feeds
from loaders.load import FeedResult, ensure_raw_tables, load_date, load_feed
from orchestration.partitions import business_date, daily_partitions
from orchestration.resources import DatabaseResource, InboxResource

RAW_GROUP = "raw"
DDL_LOCK_KEY = 7_405_890_119  # pg_advisory_lock key: "bankperf raw DDL" (any constant shared by all loads)


def raw_asset_key(feed: Feed) -> AssetKey:
    """``raw/<table>``: the key dbt sources name in ``meta.dagster.asset_key``."""
    return AssetKey([RAW_GROUP, feed.table])


@contextmanager
def _ddl_lock(database: DatabaseResource) -> Iterator[None]:
    """Hold the project-wide raw-DDL advisory lock (released when the block ends)."""
    with database.connect("loader") as conn:
        conn.execute("select pg_advisory_lock(%s)", (DDL_LOCK_KEY,))
        try:
            yield
        finally:
            conn.execute("select pg_advisory_unlock(%s)", (DDL_LOCK_KEY,))


def _load_one(database: DatabaseResource, inbox: Path, feed: Feed, biz_date: dt.date) -> FeedResult:
    """Load one feed-date, honouring the day's READY as ``bankperf load`` does."""
    try:
        listed = ready_feeds(inbox, biz_date)
    except DeliveryError as exc:
        return FeedResult(feed.code, biz_date, "FAILED", error=str(exc))
    if feed.code in listed:
        return load_feed(database.url("loader"), inbox, feed, biz_date)
    with _ddl_lock(database):  # the loader records the refusal in the audit trail (and checks its tables)
        refused = load_date(inbox, biz_date, only=[feed.code], quiet=True)
    return refused.feeds[0] if refused.feeds else FeedResult(feed.code, biz_date, "FAILED", error=refused.error)


def _metadata(feed: Feed, results: Sequence[FeedResult]) -> dict[str, MetadataValue]:
    loaded = [result for result in results if result.status == "LOADED"]
    metadata = {
        "feed": MetadataValue.text(feed.code),
        "dates": MetadataValue.text(", ".join(f"{result.biz_date:%Y-%m-%d}" for result in results)),
        "rows_loaded": MetadataValue.int(sum(result.rows_loaded for result in loaded)),
        "rows_rejected": MetadataValue.int(sum(result.rows_rejected for result in loaded)),
        "seconds": MetadataValue.float(round(sum(result.seconds for result in results), 3)),
        "load_ids": MetadataValue.json({f"{result.biz_date:%Y-%m-%d}": result.load_id for result in results}),
    }
    last_id = results[-1].load_id if results else None
    if last_id is not None:
        metadata["load_id"] = MetadataValue.int(last_id)
    return metadata


def build_raw_asset(feed: Feed) -> AssetsDefinition:
    """The asset that loads one feed into ``raw.<table>``."""
    with warnings.catch_warnings():  # backfill_policy on @asset is "beta" in this Dagster; we rely on it knowingly
        warnings.simplefilter("ignore", BetaWarning)
        return _define_raw_asset(feed)


def _define_raw_asset(feed: Feed) -> AssetsDefinition:
    @asset(
        key=raw_asset_key(feed),
        group_name=RAW_GROUP,
        partitions_def=daily_partitions,
        backfill_policy=BackfillPolicy.single_run(),
        kinds={"python", "postgres"},
        description=(
            f"Feed {feed.code} ({feed.kind}): {feed.description} Loaded from <inbox>/<YYYYMMDD>/{feed.code}_<D>.dat "
            f"into raw.{feed.table}, one table partition per business date; rejects in audit.rejected_rows."
        ),
        metadata={"feed": feed.code, "dagster/table_name": f"raw.{feed.table}"},
    )
    def _raw_feed(
        context: AssetExecutionContext, inbox: InboxResource, database: DatabaseResource
    ) -> MaterializeResult:
        root = inbox.root()
        with _ddl_lock(database), database.connect("loader") as conn:
            ensure_raw_tables(conn)
        results: list[FeedResult] = []
        for key in context.partition_keys:  # in date order
            biz_date = business_date(key)
            result = _load_one(database, root, feed, biz_date)
            results.append(result)
            if result.status != "LOADED":
                raise Failure(  # the loader's message names the file, the feed and the date
                    description=result.error or f"{feed.code} {biz_date:%Y%m%d} not loaded.",
                    metadata={
                        **_metadata(feed, results),
                        "failed_date": MetadataValue.text(key),
                        "error": MetadataValue.text(result.error or ""),
                    },
                )
            context.log.info(
                f"{feed.code} {biz_date:%Y-%m-%d}: loaded {result.rows_loaded:,} rejected {result.rows_rejected:,} "
                f"in {result.seconds:.2f}s (load_id {result.load_id})"
            )
        return MaterializeResult(metadata=_metadata(feed, results))

    return _raw_feed


raw_assets: list[AssetsDefinition] = [build_raw_asset(feed) for feed in feeds().values()]

__all__ = ["raw_assets", "raw_asset_key", "RAW_GROUP"]
