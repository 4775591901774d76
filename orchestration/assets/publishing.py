"""Publication as the last asset of the nightly run: which dates BI may read (:mod:`bankperf.publication`).

- ``publication`` (group ``publication``) depends on every dbt model of schema ``marts``, so it runs
  only after the loads, every blocking raw check and the whole ``dbt build`` with its blocking
  tests succeeded. It publishes the run's dates (``audit.publication_log`` ``PUBLISHED``) when the
  day before the first one is published (or nothing earlier was ever processed) and regenerates the
  ``published`` views from the dbt manifest; otherwise it marks them ``WITHHELD`` and fails the run
  with a message naming the missing predecessor.
- ``publication_on_failure``, a failure hook on every step of the job: a step that fails stops the
  run before ``publication``, so the hook records the run's dates instead: ``FAILED`` with the
  step's message, the failed checks and — after a failed dbt build — the GL lines that break; a
  date whose own checks passed while another date of the same build failed is ``WITHHELD``. It also
  regenerates the ``published`` views (``dbt build`` drops the views of the table marts it
  replaces).
- :func:`start_build`, called by each dbt asset before it builds: a window whose first date's
  predecessor is not published is not built (``WITHHELD``, with the reason); otherwise its dates
  are ``BUILDING`` until the run ends, so BI never reads a date while dbt rewrites it.
- Both write the finance reconciliation report (``.xlsx`` and ``.html``) of every date of the run,
  failing ones too, into ``<BANKPERF_HOME>/recon/<YYYYMMDD>/``; the raw checks already keep the
  great-expectations Data Docs in ``<BANKPERF_HOME>/quality/<YYYYMMDD>/``; on success it adds the date's
  exceptions page there (``exceptions.html``, linked from the Data Docs) and logs the count per rule of
  ``rpt_data_exceptions`` (the run's summary).
"""


import datetime as dt
import json
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import psycopg
from dagster import (
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    BetaWarning,
    DagsterEventType,
    Failure,
    HookContext,
    MaterializeResult,
    MetadataValue,
    asset,
    failure_hook,
)

from bankperf.publication import (
    BUILDING,
    PUBLISHED,
    SCHEMA,
    STATUS_VIEW,
    WITHHELD,
    Decision,
    decisions_for_failure,
    ensure_tables,
    marts_of,
    predecessor_problem,
    published_through,
    record,
    refresh_views,
)
from bankperf.quality import exceptions
from bankperf.quality.validate import day_folder
from bankperf.reconciliation.report import report_dir, write_report
from orchestration.partitions import business_date, daily_partitions, dates_of_run
from orchestration.project import manifest_path
from orchestration.resources import DatabaseResource, PublicationResource
from orchestration.translator import translator

PUBLICATION_KEY = AssetKey(["publication"])
PUBLICATION_STEP = "publication"
# raw retention (assets/retention.py) runs after publication: its failure unpublishes nothing
RETENTION_STEP = "raw_retention"
DBT_STEP_PREFIX = "dbt_models"  # dbt_models_unpartitioned, dbt_models_partitioned (assets/dbt.py)


def _mart_keys() -> list[AssetKey]:
    """The asset keys of the dbt models in schema ``marts`` (what ``publication`` waits for)."""
    manifest = json.loads(manifest_path().read_text())
    return sorted(
        {
            translator.get_asset_key(node)
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model"
            and node["schema"] == "marts"
            and node["config"]["materialized"] != "ephemeral"
        },
        key=lambda key: key.to_user_string(),
    )


def _write_reports(dates: Sequence[dt.date], root: Path | None, log) -> dict[str, str]:
    """The reconciliation report of each date (failing dates too); returns the HTML page per date."""
    pages = {}
    for biz_date in dates:
        try:
            _, page = write_report(biz_date, report_dir(biz_date, root))
        except (OSError, psycopg.Error) as exc:  # a report is for people; it never decides publication
            log.warning(f"{biz_date:%Y-%m-%d}: reconciliation report not written: {exc}")
            continue
        pages[f"{biz_date:%Y-%m-%d}"] = str(page)
    return pages


def _write_exception_pages(conn: psycopg.Connection, dates: Sequence[dt.date], log) -> dict[dt.date, dict[str, int]]:
    """Each date's exceptions page (linked from its Data Docs); returns the count per rule per date."""
    for biz_date in dates:
        try:
            exceptions.write_page(conn, biz_date)
        except OSError as exc:  # a page is for people; it never decides publication
            log.warning(f"{biz_date:%Y-%m-%d}: exceptions page not written: {exc}")
    return exceptions.counts(conn, dates)


def _refresh_views(database: DatabaseResource) -> list[str]:
    """The published views, (re)made by the login that owns them and the marts they read: dbt's."""
    with database.connect("transform") as conn:
        return refresh_views(conn, marts_of(manifest_path()))


def start_build(
    context: AssetExecutionContext, dates: Sequence[dt.date], inbox: Path, database: DatabaseResource
) -> None:
    """Before dbt builds the run's window (``dates``): refuse it when its first date's predecessor is not
    published (``Failure``, recorded WITHHELD), else mark its dates BUILDING (hidden until the run publishes
    them). Each dbt step of a run calls it; the second call finds the same answer and changes nothing."""
    with database.connect() as conn:
        ensure_tables(conn)
        problem = predecessor_problem(conn, dates[0], inbox)
        if not problem:
            started = f"dbt build started by run {context.run.run_id} (if that run is gone, it was interrupted: rerun)"
            record(conn, context.run.run_id, [Decision(day, BUILDING, started) for day in dates])
    if problem:
        context.log.error(problem)
        raise Failure(description=problem, metadata={"publication": MetadataValue.text(WITHHELD)})


def _define_publication():
    @asset(
        key=PUBLICATION_KEY,
        group_name="publication",
        deps=_mart_keys(),
        partitions_def=daily_partitions,
        backfill_policy=BackfillPolicy.single_run(),
        kinds={"python", "postgres"},
        description=(
            "Publishes the run's business dates once every gate passed (loads, raw checks, dbt build and tests): "
            "audit.publication_log, and the views of schema `published` (BI reads those; a failed date stays "
            "out of them and the previous good state stays visible). A date publishes only after its "
            "predecessor. Writes each date's reconciliation report to var/recon/<YYYYMMDD>/."
        ),
        metadata={"dagster/table_name": f"{SCHEMA}.{STATUS_VIEW}"},
    )
    def publication(
        context: AssetExecutionContext, publication: PublicationResource, database: DatabaseResource
    ) -> MaterializeResult:
        dates = [business_date(key) for key in context.partition_keys]
        pages = _write_reports(dates, publication.root(), context.log)
        with database.connect() as conn:
            ensure_tables(conn)
            problem = predecessor_problem(conn, dates[0])  # (checked before the build too)
            status = WITHHELD if problem else PUBLISHED
            record(conn, context.run.run_id, [Decision(day, status, problem) for day in dates])
            views = _refresh_views(database)
            through = published_through(conn)
            exception_counts = _write_exception_pages(conn, dates, context.log)
        if problem:
            raise Failure(description=problem, metadata={"publication": MetadataValue.text(WITHHELD)})
        context.log.info(
            f"published {dates[0]:%Y-%m-%d} .. {dates[-1]:%Y-%m-%d}; BI's published views now show up to {through} "
            f"({len(views)} views in schema {SCHEMA})"
        )
        for day in dates:  # the run's summary: what was applied or ignored, per rule (rpt_data_exceptions)
            context.log.info(exceptions.count_line(day, exception_counts.get(day, {})))
        return MaterializeResult(
            metadata={
                "published_through": MetadataValue.text(str(through)),
                "dates": MetadataValue.text(", ".join(f"{day:%Y-%m-%d}" for day in dates)),
                "views": MetadataValue.text(", ".join(f"{SCHEMA}.{name}" for name in views)),
                "reconciliation_reports": MetadataValue.json(pages),
                "data_docs": MetadataValue.json(
                    {f"{day:%Y-%m-%d}": str(day_folder(day) / "data_docs" / "index.html") for day in dates}
                ),
                "exceptions": MetadataValue.json(
                    {f"{day:%Y-%m-%d}": exception_counts.get(day, {}) for day in dates}
                ),
            }
        )

    return publication


with warnings.catch_warnings():  # backfill_policy on @asset is "beta" in this Dagster; relied on knowingly
    warnings.simplefilter("ignore", BetaWarning)
    publication_asset = _define_publication()


# ---------------------------------------------------------------------------------------------
# A failed step: record why the run's dates are not published (which date is to blame:
# bankperf.publication.decisions_for_failure)


def _failed_checks(context: HookContext) -> list[str]:
    """One line per failed blocking check of the run so far (its name, then its description's lines)."""
    records = context.instance.get_records_for_run(
        context.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    lines = []
    for entry in records:
        evaluation = entry.event_log_entry.dagster_event.event_specific_data
        if evaluation.passed or evaluation.severity.value != "ERROR":
            continue
        name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        described = [line.strip("- ").strip() for line in (evaluation.description or "").splitlines() if line.strip()]
        lines.append(f"check failed: {name}" + (f": {described[0]}" if described else ""))
        lines += [f"  {line}" for line in described[1:]]
    return lines


def _message(exception: BaseException | None) -> tuple[str, str | None]:
    """The failure's text and the publication status it asks for (a Failure may say WITHHELD)."""
    if isinstance(exception, Failure):
        hint = (exception.metadata or {}).get("publication")
        return exception.description or "", getattr(hint, "value", None)
    text = str(exception) if exception is not None else "unknown error"
    return re.sub(r"\n{3,}", "\n\n", text), None


@failure_hook(name="publication_on_failure", required_resource_keys={"publication", "database"})
def publication_on_failure(context: HookContext) -> None:
    if context.step_key in (PUBLICATION_STEP, RETENTION_STEP):  # publication recorded its own decision
        return
    run = context.instance.get_run_by_id(context.run_id)
    dates = dates_of_run(run.tags if run else {})
    if not dates:
        return
    message, hint = _message(context.op_exception)
    with context.resources.database.connect() as conn:
        ensure_tables(conn)
        decisions = decisions_for_failure(
            conn, dates, context.step_key, message, _failed_checks(context), hint,
            build_failed=context.step_key.startswith(DBT_STEP_PREFIX),
        )
        new_dates = record(conn, context.run_id, decisions)
        # the hook runs for every failed step: regenerate the views once the dates are decided, and
        # after a failed dbt build (which drops the views over the relations it rebuilt)
        if new_dates or context.step_key.startswith(DBT_STEP_PREFIX):
            _refresh_views(context.resources.database)
    for decision in decisions:
        if decision.biz_date in new_dates:
            context.log.error(f"{decision.biz_date:%Y-%m-%d} not published ({decision.status}): {decision.reason}")
    # the finance report of each date, once per run (the hook runs for every failed step)
    pages = _write_reports(new_dates, context.resources.publication.root(), context.log)
    for day, page in pages.items():
        context.log.info(f"{day}: reconciliation report {page}")


__all__ = [
    "PUBLICATION_KEY",
    "RETENTION_STEP",
    "publication_asset",
    "publication_on_failure",
    "start_build",
]
