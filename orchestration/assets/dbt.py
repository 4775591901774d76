"""The dbt project as Dagster assets: every seed and model, with its data tests as asset checks.

Lineage is one graph from file to mart: each dbt source becomes a dependency on the loader
asset named in its ``meta: {dagster: {asset_key: ["raw", "<table>"]}}`` (a source without one
falls back to ``raw/<table>`` when it lives in schema ``raw``). Groups follow the folders:
``staging``, ``intermediate``, ``marts_<area>`` (``marts/<area>/``), ``seeds``.

Why one partitioned ``@dbt_assets`` for everything, not "incremental models in one, the rest
in another": every staging view filters its source by the run's window (``min_date`` /
``max_date``), so every model downstream depends on the window; only the seeds do not, and
``dbt build`` rebuilds them in a blink. One definition keeps one ``dbt build`` per run.

A run covers a partition range (``BackfillPolicy.single_run()``): dbt runs once, with
``--vars '{min_date: <first>, max_date: <last>}'``, because the models are set-based over the
window. ``dbt build`` runs seeds, models and tests in DAG order; a failing test of severity
``error`` makes dbt skip everything downstream of the tested model in that build and exit
non-zero, which fails the step (and so the run). Each test is an asset check, blocking when
its severity is ``error``.

Before building, the window goes through the publication gate (``assets/publishing.py``): it is
not built when the day before its first date is not published (nothing publishes out of order),
and its dates are marked BUILDING until the run publishes them or records why not.

One ``dbt build`` at a time per database: the build holds a PostgreSQL advisory lock, so a
``bankperf run`` and a run the daemon launched (which the instance's queue cannot see as
rivals) wait for each other instead of rebuilding the same tables at once.
"""

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, BackfillPolicy
from dagster_dbt import dbt_assets

from bankperf.database import ensure_schemas
from bankperf.manage.store import log_restatements_done
from bankperf.service_logins import set_up_for_service
from orchestration.assets.publishing import start_build
from orchestration.partitions import daily_partitions
from orchestration.project import dbt_project
from orchestration.resources import DatabaseResource, InboxResource, WarehouseDbtResource
from orchestration.translator import translator

SET_UP_RELATIONS = ("control.import_batches", "control.restatement_log", "control.app_user", "audit.publication_log")
BUILD_LOCK_KEY = 7_405_890_120  # pg_advisory_lock key: "bankperf dbt build" (one build per database)


_project = dbt_project()
# Re-parses only under `dagster dev`. dagster-dbt would also run `dbt deps` there if a packages.yml
# appeared; the project has no dbt packages and must not need the network, so keep it that way.
_project.prepare_if_dev()
if not _project.manifest_path.exists():
    raise FileNotFoundError(
        f"{_project.manifest_path} is missing: the Dagster definitions read the parsed dbt project. "
        "Run `python -m orchestration` (or any `bankperf run`) to parse it, then load the definitions again."
    )


@contextmanager
def one_build_at_a_time(context: AssetExecutionContext, database: DatabaseResource) -> Iterator[None]:
    """Hold the database's dbt-build advisory lock, waiting (and saying so) while another build has it."""
    with database.connect() as conn:
        if not conn.execute("select pg_try_advisory_lock(%s)", (BUILD_LOCK_KEY,)).fetchone()[0]:
            context.log.info("Another dbt build is running on this database; waiting for it to finish.")
            conn.execute("select pg_advisory_lock(%s)", (BUILD_LOCK_KEY,))
        yield  # the lock goes with the session when the connection closes


def dbt_window(context: AssetExecutionContext) -> dict[str, str]:
    """The run's business dates as the dbt vars the models filter on."""
    keys = context.partition_key_range
    return {"min_date": keys.start, "max_date": keys.end}


@dbt_assets(
    manifest=_project.manifest_path,
    project=_project,
    name="dbt_models",
    dagster_dbt_translator=translator,
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
)
def dbt_models(
    context: AssetExecutionContext, dbt: WarehouseDbtResource, inbox: InboxResource, database: DatabaseResource
) -> Iterator[Any]:
    """``dbt build`` over the run's window of business dates."""
    with database.connect() as conn:  # the control tables the sources read exist before any input is imported
        set_up = set_up_for_service(conn, SET_UP_RELATIONS)
    if not set_up:  # the configured login (a database without service logins): create what is missing
        ensure_schemas()
    start_build(context, inbox.root(), database)  # no window whose predecessor is not published; its dates BUILDING
    window = dbt_window(context)
    context.log.info(f"dbt build for business dates {window['min_date']} .. {window['max_date']}")
    with one_build_at_a_time(context, database):
        invocation = dbt.cli(["build", "--vars", json.dumps(window)], context=context)
        yield from invocation.stream()  # raises when dbt fails: a failed build keeps its folder and dbt.log
    with database.connect() as conn:  # the restatements the build carried out, in the log management reads
        logged = log_restatements_done(conn)
    if logged:
        context.log.info(f"control.restatement_log: {logged} ownership restatement(s) carried out and logged")
    # dagster-dbt gives every build its own target/<op>-<run>-<id>/ (~8 MB); the run's events keep the results,
    # and the last build's run_results.json (every model's and test's time) stays for `make bench-nightly`
    keep_run_results(invocation.target_path)
    shutil.rmtree(invocation.target_path, ignore_errors=True)


LAST_RUN_RESULTS = "last_build_run_results.json"


def keep_run_results(target_path: Path) -> None:
    """Copy a successful build's ``run_results.json`` to ``target/last_build_run_results.json``."""
    produced = Path(target_path) / "run_results.json"
    if produced.exists():
        shutil.copyfile(produced, Path(_project.target_path) / LAST_RUN_RESULTS)
