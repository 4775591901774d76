"""``bankperf run --inbox DIR --from D1 --to D2``: the nightly job, headless, in this process.

The same Dagster job the schedule and the sensor start (``nightly``), run with
``execute_in_process`` against the project's Dagster instance, so its runs show up in
``dagster dev`` like any other and the sensor does not repeat them:

1. exports the database settings as ``PG*`` (``BANKPERF_DB_URL`` or ``PG*``, see
   :mod:`bankperf.settings`) and writes ``$DAGSTER_HOME/dagster.yaml`` (default
   ``var/dagster``; SQLite, or PostgreSQL with ``BANKPERF_DAGSTER_STORAGE=postgres``;
   telemetry off) — :mod:`orchestration.instance`;
2. parses the dbt project (``dbt parse``: no database, no network) so the definitions see
   the current models;
3. runs every asset for the partition range D1..D2 as ONE run: each raw feed loads its dates
   in order, then ``dbt build`` runs once over the window ``min_date=D1, max_date=D2``;
4. prints a line per step as it happens (and dbt's own progress lines), then the outcome.

Exit status 0 when every step succeeded; 1 with each failing step's message otherwise (a
missing ``READY`` names the file), 2 for arguments that cannot be run (dates outside the
partitions, an inbox that is not a folder).
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

import psycopg

from bankperf.messages import first_line

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class RunRefused(Exception):
    """The run cannot start as asked; the message says why and what to do."""


def _clock() -> str:
    return dt.datetime.now().strftime("%H:%M:%S")


class _ProgressHandler(logging.Handler):
    """One line per step event and per message an asset logs; everything else stays quiet."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(level=logging.DEBUG)  # step events are logged at DEBUG
        self.out = out

    def emit(self, record: logging.LogRecord) -> None:
        meta: Mapping = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key") or ""
        line = None
        if event is None:
            if step and record.levelno >= logging.INFO:  # a message an asset logged (context.log)
                line = meta.get("orig_message") or record.getMessage()
        elif event.event_type_value == "STEP_START":
            line = "started"
        elif event.event_type_value == "STEP_SUCCESS":
            line = f"succeeded in {event.event_specific_data.duration_ms / 1000:.1f}s"
        elif event.event_type_value == "STEP_FAILURE":
            line = "FAILED: " + first_line(_failure_message(event))
        elif event.event_type_value == "STEP_SKIPPED":
            line = "skipped (an upstream step failed)"
        elif event.event_type_value == "ASSET_CHECK_EVALUATION" and not event.event_specific_data.passed:
            evaluation = event.event_specific_data
            verdict = "FAILED" if evaluation.severity.value == "ERROR" else "warning"
            line = f"check {verdict}: {evaluation.asset_key.to_user_string()} {evaluation.check_name}"
        if line:
            print(f"{_clock()}  {step:<28} {line}", file=self.out, flush=True)


def _progress_logger(out: TextIO):
    from dagster import logger

    @logger(description="bankperf run: a line per step on the terminal")
    def progress(_init_context) -> logging.Logger:
        log = logging.getLogger(f"bankperf.run.{id(out)}")
        log.setLevel(logging.DEBUG)
        log.propagate = False
        log.handlers = [_ProgressHandler(out)]
        return log

    return progress


def _failure_message(event) -> str:
    """What the user needs from a step failure: the Failure's description, else the error."""
    data = event.step_failure_data
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description
    error = data.error
    while error is not None and error.cause is not None and error.cls_name in (
        "DagsterExecutionStepExecutionError",
        "DagsterUserCodeExecutionError",
    ):
        error = error.cause
    return error.message.strip() if error is not None else "unknown error"


def _check_dates(first: dt.date, last: dt.date) -> tuple[str, str]:
    """The partition keys of the range; refuses dates the partitions do not hold."""
    from orchestration.partitions import START_VARIABLE, daily_partitions, partition_key, today

    if last < first:
        raise RunRefused(f"--to {last:%Y%m%d} is before --from {first:%Y%m%d}.")
    start = daily_partitions.start.date()
    if first < start:
        raise RunRefused(
            f"{first:%Y%m%d} is before the first partition {start:%Y%m%d}; "
            f"set {START_VARIABLE}={first.isoformat()} (or earlier) and run again."
        )
    latest = today() + dt.timedelta(days=1)
    if last > latest:
        raise RunRefused(
            f"{last:%Y%m%d} is in the future (the last partition is {latest:%Y%m%d}, tomorrow in Asia/Shanghai)."
        )
    return partition_key(first), partition_key(last)


def run(inbox: Path, first: dt.date, last: dt.date, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the nightly job over ``first..last`` from ``inbox``; returns the exit status.

    Progress goes to ``out`` (default stdout), failures to ``err`` (default stderr).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    started = time.monotonic()
    inbox = Path(inbox).expanduser().resolve()
    try:
        if not inbox.is_dir():
            raise RunRefused(f"{inbox}: the inbox folder does not exist (give --inbox the folder holding YYYYMMDD/).")
        from bankperf.dbt_env import apply_dbt_environment
        from bankperf.settings import SERVICES, db_settings, service_settings
        from orchestration.instance import prepare_instance, storage_kind
        from orchestration.project import parse_manifest

        first_key, last_key = _check_dates(first, last)
        window = {"min_date": first_key, "max_date": last_key}  # as orchestration.assets.dbt passes them
        apply_dbt_environment()
        home = prepare_instance()
        logins = ", ".join(f"{name} as {service_settings(name).user}" for name in SERVICES)
        print(
            f"bankperf run: {first_key} .. {last_key} from {inbox} into {db_settings().redacted_url} "
            f"({logins}; Dagster home {home}, {storage_kind()} storage)",
            file=out,
            flush=True,
        )
        print(f"{_clock()}  {'dbt parse':<28} parsed in {parse_manifest(window):.1f}s", file=out, flush=True)
    except (RunRefused, ValueError) as exc:
        print(f"bankperf run: {exc}", file=err)
        return EXIT_USAGE
    except psycopg.OperationalError as exc:  # PostgreSQL run storage: the database is not reachable
        print(f"bankperf run: {str(exc).strip()} (is the database up? `bankperf db status`)", file=err)
        return EXIT_FAILED
    except RuntimeError as exc:  # the dbt project does not parse
        print(f"bankperf run: {exc}", file=err)
        return EXIT_FAILED

    from dagster import DagsterInstance

    from orchestration.dagster_internals import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG
    from orchestration.definitions import defs
    from orchestration.jobs import NIGHTLY_JOB_NAME
    from orchestration.resources import InboxResource

    job = defs.resolve_job_def(NIGHTLY_JOB_NAME).with_logger_defs({"progress": _progress_logger(out)})
    tags = {"bankperf/trigger": "bankperf run", "bankperf/inbox": str(inbox)}
    if first_key == last_key:
        partition = {"partition_key": first_key}
    else:
        partition = {}
        tags |= {ASSET_PARTITION_RANGE_START_TAG: first_key, ASSET_PARTITION_RANGE_END_TAG: last_key}
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(
            run_config={"loggers": {"progress": {}}},  # only our logger: a line per step, not every event
            instance=instance,
            tags=tags,
            resources={"inbox": InboxResource(path=str(inbox))},
            raise_on_error=False,
            **partition,
        )
    seconds = time.monotonic() - started
    if result.success:
        materialized = len(result.get_asset_materialization_events())
        print(
            f"bankperf run: run {result.run_id} succeeded in {seconds:.1f}s "
            f"({materialized} asset materializations, {first_key} .. {last_key}).",
            file=out,
        )
        return EXIT_OK
    _report_failures(result, err)
    print(f"bankperf run: run {result.run_id} FAILED after {seconds:.1f}s.", file=err)
    return EXIT_FAILED


def _report_failures(result, err: TextIO) -> None:
    """Each distinct failure once, with the steps it stopped (12 feeds missing one READY is one message)."""
    steps_by_message: dict[str, list[str]] = {}
    for event in result.all_events:
        if event.is_step_failure:
            steps_by_message.setdefault(_failure_message(event), []).append(event.step_key or "?")
    for message, steps in steps_by_message.items():
        print(f"bankperf run: step {', '.join(steps)} failed: {message}", file=err)
