"""Data-quality gates on the raw feeds: blocking asset checks between the loads and dbt.

Every raw feed asset ``raw/<table>`` has two checks, each covering every business date of the
run (a range run is one run: ``context.partition_keys``):

- ``rows_balance`` — one step per feed, right after its load: ``audit.current_loads`` shows the
  feed-date ``LOADED`` with ``rows_loaded + rows_rejected = ctl_row_count`` (the control file's
  promise), and ``raw.<table>`` holds exactly ``rows_loaded`` rows of that load.
- ``expectations`` — the feed's great-expectations suite (:func:`bankperf.quality.validate_day`)
  on each date; it fails when a critical ("Blocking: ...") expectation fails, with every failed
  expectation's message (feed, date, rule, sample keys and values) in the description and
  metadata and the Data Docs page as metadata; warnings leave it passed and are listed in its
  metadata. The twelve feeds' ``expectations`` run in ONE step (a ``multi_asset_check``) after
  the twelve loads: the suites reference other feeds of the same day (currency → FX,
  institution → ORG, relation → DEP/LOAN/CARD/EMP ...), so a feed can only be validated once
  those are loaded, and one GX context per date for all twelve feeds costs a third of twelve.
  "Every currency used in DEP/LOAN/GL/FEE/INTL is in FX of that day" is the critical rule
  ``currency_in_fx`` of those five suites, so it gates here and is not repeated. Before a
  date is validated, its raw partitions that have no planner statistics yet are ``ANALYZE``d
  (see :func:`_analyze_new_partitions`: without them the same-day joins can take minutes).

How a failure stops dbt (dagster 1.13, read from its source): in an asset job, a step that
reads an asset with blocking checks waits for the steps of those checks
(``build_node_deps`` in ``_core/definitions/assets/job/asset_job.py`` wires them as
``BlockingAssetChecksDependencyDefinition``), so ``dbt_models`` runs after all 24 checks. A
check step that yields a failed result of severity ``ERROR`` for a blocking check emits all its
results, then raises ``DagsterAssetCheckFailedError`` (``_core/execution/plan/execute_step.py``):
the step fails, the executor skips what waits on it — the dbt build — and the run fails. A
blocking check that yields no result does not block, so each step here yields one result per
selected check, and anything that prevents judging (e.g. a raw table missing) is a failed result.

The checks themselves are not partitioned: one evaluation per run covers all its dates (the
metadata goes date by date). Dagster's partitioned checks are a preview feature that records
a partition only for single-partition runs, while a backfill here is one range run. A check
launched without a partition (from the UI, alone) checks the latest date loaded.
"""

import datetime as dt
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    asset_check,
    multi_asset_check,
)
from psycopg import sql
from psycopg.rows import dict_row

from bankperf.quality import FailedExpectation, FeedValidation, QualityError, validate_day
from loaders.contract import Feed, feeds
from loaders.ddl import partition_name
from orchestration.assets.raw import raw_asset_key
from orchestration.partitions import business_date
from orchestration.resources import DatabaseResource, QualityResource

EXPECTATIONS = "expectations"
ROWS_BALANCE = "rows_balance"
DESCRIBED_FAILURES = 10  # failure messages quoted in a check's description; the metadata holds them all


# ---------------------------------------------------------------------------------------------
# Which dates a check covers


def _run_dates(
    context: AssetCheckExecutionContext, codes: Sequence[str], database: DatabaseResource
) -> list[dt.date]:
    """The run's business dates; without a partition, the latest date any of ``codes`` was loaded."""
    if context.has_partition_key or context.has_partition_key_range:
        return [business_date(key) for key in context.partition_keys]
    with database.connect() as conn:
        (latest,) = conn.execute(
            "select max(biz_date) from audit.current_loads where status = 'LOADED' and feed = any(%s)",
            (list(codes),),
        ).fetchone()
    if latest is None:
        return []
    context.log.info(f"Run without a partition: checking the latest business date loaded, {latest:%Y-%m-%d}.")
    return [latest]


def _dates_text(dates: Sequence[dt.date]) -> str:
    if not dates:
        return "(none)"
    if len(dates) == 1:
        return f"{dates[0]:%Y-%m-%d}"
    return f"{dates[0]:%Y-%m-%d} .. {dates[-1]:%Y-%m-%d} ({len(dates)} dates)"


def _described(problems: Sequence[str]) -> str:
    shown = "\n".join(f"- {problem}" for problem in problems[:DESCRIBED_FAILURES])
    more = len(problems) - DESCRIBED_FAILURES
    return shown + (f"\n- ... and {more} more (metadata 'failures')" if more > 0 else "")


# ---------------------------------------------------------------------------------------------
# rows_balance: the audit trail and raw agree with the control file, date by date


def _balance_problems(row: dict[str, Any] | None, raw_rows: int | None, stale_rows: int | None) -> list[str]:
    if row is None:
        return ["no finished load in audit.current_loads"]
    if row["status"] != "LOADED":
        return [f"status {row['status']} (load_id {row['load_id']}): {row['error'] or 'no error recorded'}"]
    problems = []
    loaded, rejected, promised = row["rows_loaded"], row["rows_rejected"], row["ctl_row_count"]
    if loaded is None or rejected is None or promised is None or loaded + rejected != promised:
        problems.append(f"rows_loaded {loaded} + rows_rejected {rejected} != ctl_row_count {promised}")
    if raw_rows != loaded:
        problems.append(f"raw holds {raw_rows} rows, the load recorded {loaded}")
    if stale_rows:
        problems.append(f"{stale_rows} raw rows are not from the current load_id {row['load_id']}")
    return problems


def _rows_balance(
    context: AssetCheckExecutionContext, source: Feed, database: DatabaseResource
) -> AssetCheckResult:
    dates = _run_dates(context, [source.code], database)
    by_date: dict[str, dict[str, Any]] = {}
    failures: list[str] = []
    with database.connect(row_factory=dict_row) as conn:
        audit_rows = {
            row["biz_date"]: row
            for row in conn.execute(
                "select biz_date, status, load_id, ctl_row_count, rows_read, rows_loaded, rows_rejected, error "
                "from audit.current_loads where feed = %s and biz_date = any(%s)",
                (source.code, dates),
            )
        }
        count = sql.SQL(
            "select count(*) as raw_rows, count(*) filter (where load_id <> %s) as stale_rows "
            "from raw.{} where biz_date = %s"
        ).format(sql.Identifier(source.table))
        for biz_date in dates:
            row = audit_rows.get(biz_date)
            raw_rows = stale_rows = None
            if row is not None and row["status"] == "LOADED":
                counted = conn.execute(count, (row["load_id"], biz_date)).fetchone()
                raw_rows, stale_rows = counted["raw_rows"], counted["stale_rows"]
            problems = _balance_problems(row, raw_rows, stale_rows)
            failures += [f"{source.code} {biz_date:%Y-%m-%d}: {problem}" for problem in problems]
            by_date[f"{biz_date:%Y-%m-%d}"] = {
                **{name: value for name, value in (row or {}).items() if name not in ("biz_date", "error")},
                "raw_rows": raw_rows,
                "balanced": not problems,
            }
    if not dates:
        failures.append(f"{source.code}: no business date to check (nothing loaded yet)")
    for failure in failures:
        context.log.error(failure)
    loaded = [entry for entry in by_date.values() if entry.get("status") == "LOADED"]
    passed = not failures
    description = (
        f"{source.code}: every load balances with its control file on {_dates_text(dates)}."
        if passed
        else f"{source.code}: {len(failures)} load(s) do not balance with the control file:\n{_described(failures)}"
    )
    return AssetCheckResult(
        passed=passed,
        severity=AssetCheckSeverity.ERROR,
        description=description,
        metadata={
            "feed": MetadataValue.text(source.code),
            "dates": MetadataValue.text(_dates_text(dates)),
            "ctl_row_count": MetadataValue.int(sum(entry["ctl_row_count"] or 0 for entry in loaded)),
            "rows_loaded": MetadataValue.int(sum(entry["rows_loaded"] or 0 for entry in loaded)),
            "rows_rejected": MetadataValue.int(sum(entry["rows_rejected"] or 0 for entry in loaded)),
            "failures": MetadataValue.text("\n".join(failures)),
            "by_date": MetadataValue.json(by_date),
        },
    )


def build_rows_balance_check(source: Feed) -> AssetChecksDefinition:
    """``rows_balance`` of ``raw/<table>``: its own step, right after the feed's load."""

    @asset_check(
        asset=raw_asset_key(source),
        name=ROWS_BALANCE,
        blocking=True,
        description=(
            f"For each business date of the run, the current load of {source.code} is LOADED, rows loaded + "
            "rejected equal the control file's count, and raw holds exactly the rows of that load."
        ),
    )
    def _check(context: AssetCheckExecutionContext, database: DatabaseResource) -> AssetCheckResult:
        return _rows_balance(context, source, database)

    return _check


# ---------------------------------------------------------------------------------------------
# expectations: the great-expectations suites, all twelve feeds in one step


@dataclass
class _FeedOutcome:
    """One feed's validations over the run's dates, and what could not be validated."""

    source: Feed
    validations: list[FeedValidation] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # blocking failures' messages, and validations that did not run

    @property
    def warnings(self) -> list[str]:
        return [failure.message for validation in self.validations for failure in validation.warnings]

    def shown_validation(self) -> FeedValidation | None:
        """The date whose Data Docs to point at: the first that failed, else the last."""
        failed = [validation for validation in self.validations if not validation.success]
        if failed:
            return failed[0]
        return self.validations[-1] if self.validations else None


def _analyze_new_partitions(biz_date: dt.date, database: DatabaseResource) -> list[str]:
    """``ANALYZE`` the date's raw partitions that have no planner statistics yet; returns their names.

    A load swaps in a new partition, and until autovacuum gets to it the planner takes it for
    nearly empty: the suites' same-day joins (FTP -> DEP, REL -> DEP ...) then run as nested
    loops — 38 s instead of 12 ms for one FTP rule on a 20,000-account day. Analyzing 12
    partitions costs a few hundred milliseconds and dbt, next, reads the same partitions.
    """
    names = [partition_name(source, biz_date) for source in feeds().values()]
    with database.connect("loader") as conn:  # only a table's owner may analyze it: raw is the loader's
        fresh = [
            name
            for (name,) in conn.execute(
                "select relname from pg_stat_user_tables where schemaname = 'raw' and relname = any(%s) "
                "and last_analyze is null and last_autoanalyze is null",
                (names,),
            )
        ]
        for name in fresh:
            conn.execute(sql.SQL("analyze raw.{}").format(sql.Identifier(name)))
    return fresh


def _validate(
    context: AssetCheckExecutionContext, sources: Sequence[Feed], root: Path | None, database: DatabaseResource
) -> list[_FeedOutcome]:
    """Every feed on every date of the run, a date at a time (one GX context per date, calls in sequence)."""
    outcomes = {source.code: _FeedOutcome(source) for source in sources}
    dates = _run_dates(context, list(outcomes), database)
    if not dates:
        for outcome in outcomes.values():
            outcome.errors.append(f"{outcome.source.code}: no business date to validate (nothing loaded yet)")
    for biz_date in dates:
        started = time.monotonic()
        analyzed = _analyze_new_partitions(biz_date, database)
        try:
            validations = validate_day(biz_date, list(outcomes), root)
        except QualityError as exc:  # a raw table missing: nothing of the date can be judged
            for outcome in outcomes.values():
                outcome.errors.append(f"{outcome.source.code} {biz_date:%Y-%m-%d} not validated: {exc}")
            continue
        for code, validation in validations.items():
            outcomes[code].validations.append(validation)
            outcomes[code].errors += [failure.message for failure in validation.errors]
        failed = sorted(code for code, validation in validations.items() if not validation.success)
        warned = sum(len(validation.warnings) for validation in validations.values())
        held = sum(validation.passed for validation in validations.values())
        evaluated = sum(validation.evaluated for validation in validations.values())
        context.log.info(
            f"{biz_date:%Y-%m-%d}: {held}/{evaluated} expectations held on {len(validations)} feeds "
            f"({', '.join(failed) + ' FAILED' if failed else 'no blocking failure'}, {warned} warnings) "
            f"in {time.monotonic() - started:.1f}s" + (f"; analyzed {len(analyzed)} new partitions" if analyzed else "")
        )
    return list(outcomes.values())


def _log_outcome(context: AssetCheckExecutionContext, outcome: _FeedOutcome) -> None:
    """Each blocking failure (up to a few), and each failed warning rule once with its dates."""
    for message in outcome.errors[:DESCRIBED_FAILURES]:
        context.log.error(message)
    if len(outcome.errors) > DESCRIBED_FAILURES:
        context.log.error(f"{outcome.source.code}: ... and {len(outcome.errors) - DESCRIBED_FAILURES} more failures")
    by_rule: dict[str, list[FailedExpectation]] = {}
    for validation in outcome.validations:
        for failure in validation.warnings:
            by_rule.setdefault(failure.rule, []).append(failure)
    for rule, failures in by_rule.items():
        dates = [failure.biz_date for failure in failures]
        context.log.warning(
            f"{outcome.source.code} {rule} (warning) failed on {_dates_text(dates)}; first: {failures[0].message}"
        )


def _expectations_result(outcome: _FeedOutcome) -> AssetCheckResult:
    source, validations = outcome.source, outcome.validations
    dates = [validation.biz_date for validation in validations]
    evaluated = sum(validation.evaluated for validation in validations)
    held = sum(validation.passed for validation in validations)
    warnings = outcome.warnings
    passed = not outcome.errors
    if not passed:
        description = (
            f"{source.code}: {len(outcome.errors)} blocking expectation(s) failed:\n{_described(outcome.errors)}"
        )
    elif warnings:
        description = (
            f"{source.code}: every blocking expectation held on {_dates_text(dates)}; "
            f"{len(warnings)} warning(s) (metadata 'warnings'):\n{_described(warnings)}"
        )
    else:
        description = f"{source.code}: {held}/{evaluated} expectations held on {_dates_text(dates)}."
    metadata: dict[str, Any] = {
        "feed": MetadataValue.text(source.code),
        "dates": MetadataValue.text(_dates_text(dates)),
        "expectations": MetadataValue.int(evaluated),
        "passed": MetadataValue.int(held),
        "failed_blocking": MetadataValue.int(len(outcome.errors)),
        "failed_warnings": MetadataValue.int(len(warnings)),
        "failures": MetadataValue.text("\n".join(outcome.errors)),
        "warnings": MetadataValue.text("\n".join(warnings)),
        "seconds": MetadataValue.float(round(sum(validation.seconds for validation in validations), 2)),
        "by_date": MetadataValue.json(  # the messages are in "failures" and "warnings" already
            {
                f"{validation.biz_date:%Y-%m-%d}": {
                    name: value for name, value in validation.metadata().items() if name not in ("feed", "failures")
                }
                for validation in validations
            }
        ),
    }
    shown = outcome.shown_validation()
    if shown is not None and shown.docs_path is not None:
        metadata["data_docs"] = MetadataValue.path(shown.docs_path)
    if shown is not None and shown.docs_index is not None:
        metadata["data_docs_index"] = MetadataValue.path(shown.docs_index)
    return AssetCheckResult(
        asset_key=raw_asset_key(source),
        check_name=EXPECTATIONS,
        passed=passed,
        severity=AssetCheckSeverity.ERROR,
        description=description,
        metadata=metadata,
    )


def _expectations_spec(source: Feed) -> AssetCheckSpec:
    return AssetCheckSpec(
        name=EXPECTATIONS,
        asset=raw_asset_key(source),
        blocking=True,
        description=(
            f"The great-expectations suite raw_{source.table} on each business date of the run: fails when a "
            "blocking expectation fails (messages name the rows); warnings are listed in the metadata."
        ),
    )


def build_expectations_checks(sources: Iterable[Feed]) -> AssetChecksDefinition:
    """``expectations`` of every raw feed, as one step after all the loads (the suites read across feeds)."""
    by_key = {raw_asset_key(source): source for source in sources}

    @multi_asset_check(
        name="raw_expectations",
        specs=[_expectations_spec(source) for source in by_key.values()],
        can_subset=True,
        description="The great-expectations suites of the raw feeds, for each business date of the run.",
    )
    def _checks(
        context: AssetCheckExecutionContext, quality: QualityResource, database: DatabaseResource
    ) -> Iterator[AssetCheckResult]:
        selected = {key.asset_key for key in context.selected_asset_check_keys if key.name == EXPECTATIONS}
        sources = [source for key, source in by_key.items() if key in selected]
        for outcome in _validate(context, sources, quality.root(), database):
            _log_outcome(context, outcome)
            yield _expectations_result(outcome)

    return _checks


def check_keys(source: Feed) -> list[AssetCheckKey]:
    """The quality checks of one raw feed asset."""
    key: AssetKey = raw_asset_key(source)
    return [AssetCheckKey(key, EXPECTATIONS), AssetCheckKey(key, ROWS_BALANCE)]


raw_checks: list[AssetChecksDefinition] = [
    *(build_rows_balance_check(source) for source in feeds().values()),
    build_expectations_checks(feeds().values()),
]

__all__ = ["EXPECTATIONS", "ROWS_BALANCE", "check_keys", "raw_checks"]
