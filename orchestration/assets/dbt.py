"""The dbt project as Dagster assets: every seed and model, with its data tests as asset checks, in
two definitions — the partitioned models the run's window drives, and the unpartitioned rest.

Lineage is one graph from file to mart: each dbt source becomes a dependency on the loader
asset named in its ``meta: {dagster: {asset_key: ["raw", "<table>"]}}`` (a source without one
falls back to ``raw/<table>`` when it lives in schema ``raw``). Groups follow the folders:
``staging``, ``intermediate``, ``marts_<area>`` (``marts/<area>/``), ``seeds``.

The split (as dagster-university's and dagster-open-platform's dbt projects split incremental from
non-incremental models):

- ``dbt_models_partitioned`` (``daily_partitions``): the daily models that keep rows — the
  ``tag:daily`` models materialized ``incremental`` or ``table``, which the run's window
  (``--vars {min_date, max_date}``) fills or rebuilds — and everything built on them, views included.
  A view over a table must be remade in the same run after its table: dbt replaces a table by dropping
  the old one with ``cascade``, which drops the views over it. Keeping every descendant in the same
  definition (one ``dbt build``, DAG order) does that, and means no unpartitioned model ever depends on a
  partitioned one, so a run is two steps in a line, never a cycle Dagster would cut into more builds.
- ``dbt_models_unpartitioned``: the rest — seeds, the staging views (they show every delivered date;
  the window is applied where the daily models read them), views over management inputs and
  reference data, and ``dim_date`` (the fixed calendar, rebuilt in full). What they hold does not
  depend on a date, so a partition would mean nothing. In a nightly run it builds first; its data tests
  still cover only the run's dates where they are written so (the staging tests' ``where: __window__``),
  because it gets the run's window as vars too, and the same vars let both builds reuse the run's parse.

A run covers a partition range (``BackfillPolicy.single_run()``): each definition runs ``dbt build`` once
for the whole range. ``dbt build`` runs seeds, models and tests in DAG order; a failing test of severity
``error`` makes dbt skip everything downstream of the tested model in that build and exit non-zero, which
fails the step (Dagster then skips the partitioned build after a failed unpartitioned one, and the run
fails). Each test is an asset check, blocking when its severity is ``error``. A test between the two sets
(a relationship from a management input to a daily dimension) runs with the later, partitioned build and is
attached there by its config (``meta: {dagster: {ref: {name: <the partitioned model>}}}``).

Before each build, the window goes through the publication gate (``assets/publishing.py``): it is
not built when the day before its first date is not published (nothing publishes out of order),
and its dates are marked BUILDING until the run publishes them or records why not. The
unpartitioned definition materialized alone (not in a run of dates) has no window and no gate; it
then rebuilds its views and ``dim_date``, which drops the partitioned views over them until the next
nightly run remakes them: materialize it with the nightly job, not alone.

One ``dbt build`` at a time per database: the build holds a PostgreSQL advisory lock, so a
``bankperf run`` and a run the daemon launched (which the instance's queue cannot see as
rivals) wait for each other instead of rebuilding the same tables at once.
"""

import datetime as dt
import json
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, BackfillPolicy
from dagster_dbt import dbt_assets

from bankperf.database import ensure_schemas
from bankperf.manage.store import log_restatements_done
from bankperf.service_logins import set_up_for_service
from orchestration.assets.publishing import start_build
from orchestration.partitions import business_date, daily_partitions, dates_of_run, partition_key
from orchestration.project import dbt_project
from orchestration.resources import DatabaseResource, InboxResource, WarehouseDbtResource
from orchestration.translator import translator

SET_UP_RELATIONS = ("control.import_batches", "control.restatement_log", "control.app_user", "audit.publication_log")
BUILD_LOCK_KEY = 7_405_890_120  # pg_advisory_lock key: "bankperf dbt build" (one build per database)
ROW_KEEPING = ("incremental", "table")  # materializations that hold rows of their own


_project = dbt_project()
# Re-parses only under `dagster dev`. dagster-dbt would also run `dbt deps` there if a packages.yml
# appeared; the project has no dbt packages and must not need the network, so keep it that way.
_project.prepare_if_dev()
if not _project.manifest_path.exists():
    raise FileNotFoundError(
        f"{_project.manifest_path} is missing: the Dagster definitions read the parsed dbt project. "
        "Run `python -m orchestration` (or any `bankperf run`) to parse it, then load the definitions again."
    )


def partitioned_selection(manifest: Mapping[str, Any]) -> str:
    """The dbt selection of the partitioned models: each daily model that keeps rows, with everything
    downstream of it (``<model>+``)."""
    roots = sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and "daily" in node["tags"]
        and node["config"]["materialized"] in ROW_KEEPING
    )
    return " ".join(f"{name}+" for name in roots)


PARTITIONED = partitioned_selection(json.loads(_project.manifest_path.read_text()))


@contextmanager
def one_build_at_a_time(context: AssetExecutionContext, database: DatabaseResource) -> Iterator[None]:
    """Hold the database's dbt-build advisory lock, waiting (and saying so) while another build has it."""
    with database.connect() as conn:
        if not conn.execute("select pg_try_advisory_lock(%s)", (BUILD_LOCK_KEY,)).fetchone()[0]:
            context.log.info("Another dbt build is running on this database; waiting for it to finish.")
            conn.execute("select pg_advisory_lock(%s)", (BUILD_LOCK_KEY,))
        yield  # the lock goes with the session when the connection closes


def dbt_window(dates: Sequence[dt.date]) -> dict[str, str]:
    """The run's business dates as the dbt vars the models filter on (none outside a run of dates)."""
    if not dates:
        return {}
    return {"min_date": partition_key(dates[0]), "max_date": partition_key(dates[-1])}


def _prepare(context: AssetExecutionContext, dates: Sequence[dt.date], inbox: InboxResource,
             database: DatabaseResource) -> None:
    """What every build needs first: the set-up database, and the publication gate for the run's dates."""
    with database.connect() as conn:  # the control tables the sources read exist before any input is imported
        set_up = set_up_for_service(conn, SET_UP_RELATIONS)
    if not set_up:  # the configured login (a database without service logins): create what is missing
        ensure_schemas()
    if dates:  # no window whose predecessor is not published; its dates BUILDING (idempotent per run)
        start_build(context, dates, inbox.root(), database)


def _build(context: AssetExecutionContext, dbt: WarehouseDbtResource, database: DatabaseResource,
           window: Mapping[str, str]) -> Iterator[Any]:
    """``dbt build`` of the definition's selection over ``window``, one build at a time per database."""
    dates = f"business dates {window['min_date']} .. {window['max_date']}" if window else "no window"
    context.log.info(f"dbt build ({context.op_def.name}) for {dates}")
    with one_build_at_a_time(context, database):
        invocation = dbt.cli(["build", *(["--vars", json.dumps(dict(window))] if window else [])], context=context)
        yield from invocation.stream()  # raises when dbt fails: a failed build keeps its folder and dbt.log
    # dagster-dbt gives every build its own target/<op>-<run>-<id>/ (~8 MB); the run's events keep the results,
    # and the run's run_results.json (every model's and test's time) stays for `make bench-nightly`
    keep_run_results(invocation.target_path, context.run.run_id)
    shutil.rmtree(invocation.target_path, ignore_errors=True)


@dbt_assets(
    manifest=_project.manifest_path,
    project=_project,
    name="dbt_models_unpartitioned",
    dagster_dbt_translator=translator,
    exclude=PARTITIONED,
    backfill_policy=BackfillPolicy.single_run(),
)
def dbt_models_unpartitioned(
    context: AssetExecutionContext, dbt: WarehouseDbtResource, inbox: InboxResource, database: DatabaseResource
) -> Iterator[Any]:
    """``dbt build`` of the seeds, staging views and the models that do not depend on a date; in a run of
    dates, with that window (its tests check those dates; the build reuses the run's parse)."""
    dates = dates_of_run(context.run.tags)
    _prepare(context, dates, inbox, database)
    yield from _build(context, dbt, database, dbt_window(dates))


@dbt_assets(
    manifest=_project.manifest_path,
    project=_project,
    name="dbt_models_partitioned",
    dagster_dbt_translator=translator,
    select=PARTITIONED,
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
)
def dbt_models_partitioned(
    context: AssetExecutionContext, dbt: WarehouseDbtResource, inbox: InboxResource, database: DatabaseResource
) -> Iterator[Any]:
    """``dbt build`` of the daily models and what is built on them, over the run's window of business dates."""
    dates = [business_date(key) for key in context.partition_keys]
    _prepare(context, dates, inbox, database)
    yield from _build(context, dbt, database, dbt_window(dates))
    with database.connect() as conn:  # the restatements the build carried out, in the log management reads
        logged = log_restatements_done(conn)
    if logged:
        context.log.info(f"control.restatement_log: {logged} ownership restatement(s) carried out and logged")


dbt_models = [dbt_models_unpartitioned, dbt_models_partitioned]

LAST_RUN_RESULTS = "last_build_run_results.json"
RUN_ID_KEY = "bankperf_dagster_run_id"  # which run the kept results are of


def keep_run_results(target_path: Path, run_id: str) -> None:
    """Keep a successful build's ``run_results.json`` as ``target/last_build_run_results.json``: the
    run's builds together (the second build of a run adds its results to the first's)."""
    produced = Path(target_path) / "run_results.json"
    if not produced.exists():
        return
    results = json.loads(produced.read_text())
    kept = Path(_project.target_path) / LAST_RUN_RESULTS
    if kept.exists():
        earlier = json.loads(kept.read_text())
        if earlier.get(RUN_ID_KEY) == run_id:
            results["results"] = [*earlier["results"], *results["results"]]
            results["elapsed_time"] = earlier.get("elapsed_time", 0) + results.get("elapsed_time", 0)
    results[RUN_ID_KEY] = run_id
    kept.write_text(json.dumps(results))
