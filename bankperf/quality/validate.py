"""Validate one business date of a raw feed against its committed suite, SQL-side.

    validate_feed("DEP", date(2026, 1, 5))  ->  FeedValidation
    validate_day(date(2026, 1, 5))          ->  {"ORG": FeedValidation, ...}

Each call opens the GX project in ``expectations/`` and runs the feed's checkpoint. The batch
is the asset query, bound to the date when the project is opened: ``select * from raw.<feed>
where biz_date = date '<YYYY-MM-DD>'`` (the committed query reads the session setting
``bankperf.biz_date`` instead, which the connections of this run also carry; see
:func:`bankperf.quality.project.day_query`). With a literal, PostgreSQL prunes the other dates'
partitions when it plans each statement, and the cross-feed queries' joins on ``biz_date``
inherit the date, so every metric and lookup plans and reads that date's partitions only: a
night's validation costs the same whatever history the tables keep. All the work happens in
the database; no rows come to Python except a few samples of unexpected ones.

Results and Data Docs land in ``<BANKPERF_HOME>/quality/<YYYYMMDD>/`` (``var/quality/...`` by
default, git-ignored): ``validations/<suite>/<run>/<time>/<batch>.json`` and
``data_docs/index.html`` with one page per run, so an auditor opens one folder per date.
The database comes from :func:`bankperf.settings.db_settings`, read at call time.

Validations of different feeds may run in parallel processes; within a process, use one call
at a time (GX keeps a process-wide current context).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from bankperf import settings
from bankperf.quality.project import (
    DATASOURCE,
    DATE_SETTING,
    DOCS_SITE,
    OUTPUT_VARIABLE,
    PARTIAL_SAMPLES,
    PROJECT_ROOT,
    URL_VARIABLE,
    asset_name,
    day_query,
    gx,
    suite_name,
)
from bankperf.quality.rules import CRITICAL
from loaders.contract import feed, feeds

logger = logging.getLogger(__name__)


class QualityError(RuntimeError):
    """A validation that cannot run (e.g. the raw table does not exist); the message says what to do."""


def output_root() -> Path:
    """Where every date's results and Data Docs go: ``<BANKPERF_HOME>/quality``."""
    return settings.home() / "quality"


def day_folder(biz_date: dt.date, root: Path | None = None) -> Path:
    return (root or output_root()) / f"{biz_date:%Y%m%d}"


@dataclass(frozen=True)
class FailedExpectation:
    """One expectation that did not hold on a feed's day, with what is needed to act on it."""

    feed: str
    biz_date: dt.date
    rule: str  # the rule's name in bankperf/quality/rules.py (meta.rule of the expectation)
    severity: str  # "critical" (blocks publication) or "warning"
    description: str  # what should hold, labelled "Blocking: ..." or "Warning: ..."
    expectation_type: str
    columns: tuple[str, ...]
    unexpected_count: int | None  # rows (or groups, for a query) that break it; None if not counted
    samples: tuple[Mapping[str, Any], ...] = ()  # a few offending rows: key columns and values
    error: str | None = None  # set when the expectation could not be evaluated at all
    observed: Any = None  # for table-level expectations: what was found

    @property
    def blocking(self) -> bool:
        return self.severity == CRITICAL

    @property
    def message(self) -> str:
        """E.g. ``DEP 2026-02-01 key_unique failed. Blocking: the key (acct_no, sub_acct_no) is unique
        within the day. 1 unexpected, e.g. acct_no=6200010001, sub_acct_no=0001, row_count=2``."""
        text = f"{self.feed} {self.biz_date:%Y-%m-%d} {self.rule} failed. {self.description}."
        if self.error:
            return f"{text} Could not be evaluated: {self.error}"
        if self.unexpected_count is not None:
            text += f" {self.unexpected_count} unexpected"
        elif self.observed is not None:
            text += f" Found {_short(self.observed)}"
        if self.samples:
            text += ", e.g. " + "; ".join(_describe(sample) for sample in self.samples)
        return text


@dataclass
class FeedValidation:
    """The outcome of one feed's day: ``success`` is False only when a critical expectation failed."""

    feed: str
    biz_date: dt.date
    success: bool
    rows: int | None  # rows of the feed on that date
    evaluated: int
    passed: int
    failures: list[FailedExpectation] = field(default_factory=list)
    result_path: Path | None = None  # the stored GX validation result (JSON)
    docs_path: Path | None = None  # its Data Docs page (HTML)
    docs_index: Path | None = None  # the date's Data Docs index (HTML)
    seconds: float = 0.0

    @property
    def errors(self) -> list[FailedExpectation]:
        """Failed critical expectations: they block publication."""
        return [failure for failure in self.failures if failure.blocking]

    @property
    def warnings(self) -> list[FailedExpectation]:
        return [failure for failure in self.failures if not failure.blocking]

    def metadata(self) -> dict[str, Any]:
        """Plain values for an asset check's metadata (counts, paths, one message per failure)."""
        return {
            "feed": self.feed,
            "biz_date": self.biz_date.isoformat(),
            "rows": self.rows,
            "expectations": self.evaluated,
            "passed": self.passed,
            "failed_blocking": len(self.errors),
            "failed_warnings": len(self.warnings),
            "failures": "\n".join(failure.message for failure in self.failures),
            "result_path": str(self.result_path) if self.result_path else None,
            "data_docs": str(self.docs_path) if self.docs_path else None,
            "data_docs_index": str(self.docs_index) if self.docs_index else None,
            "seconds": round(self.seconds, 2),
        }

    def summary(self) -> str:
        state = "passed" if self.success else "FAILED"
        return (
            f"{self.feed} {self.biz_date:%Y-%m-%d} {state}: {self.passed}/{self.evaluated} expectations held "
            f"({len(self.errors)} blocking, {len(self.warnings)} warnings failed) on {self.rows} rows "
            f"in {self.seconds:.1f}s; Data Docs {self.docs_path}"
        )


def validate_feed(feed_code: str, biz_date: dt.date, output_dir: Path | None = None) -> FeedValidation:
    """Validate ``raw.<feed>`` for ``biz_date`` only, store the result and update that date's Data Docs.

    ``output_dir`` replaces ``<BANKPERF_HOME>/quality`` as the folder holding one ``<YYYYMMDD>/``
    per date (tests use a temporary one). Raises :class:`QualityError` when the raw table does
    not exist; every failed expectation, even one that could not be evaluated, is a failure in
    the returned :class:`FeedValidation` instead.
    """
    return validate_day(biz_date, [feed_code], output_dir)[feed(feed_code).code]


def validate_day(
    biz_date: dt.date, feed_codes: Iterable[str] | None = None, output_dir: Path | None = None
) -> dict[str, FeedValidation]:
    """Validate several feeds (default: all twelve) of one date with one GX context; in contract order."""
    codes = [feed(code).code for code in feed_codes] if feed_codes else list(feeds())
    with _day_session(biz_date, output_dir) as session:
        runs = {code: session.run(code) for code in codes}
        session.publish(list(runs.values()))
    return {code: validation for code, (validation, _) in runs.items()}


# ---------------------------------------------------------------------------------------------


def _day_url(biz_date: dt.date) -> str:
    """The SQLAlchemy URL of the warehouse whose sessions read ``biz_date`` (psycopg2, libpq options)."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.service_settings("orchestrator").url).set(drivername="postgresql+psycopg2")
    url = url.update_query_dict({"options": f"-c {DATE_SETTING}={biz_date.isoformat()}"})
    return url.render_as_string(hide_password=False)


@contextmanager
def _day_session(biz_date: dt.date, output_dir: Path | None) -> Iterator[_DaySession]:
    session = _DaySession(biz_date, day_folder(biz_date, output_dir))
    try:
        yield session
    finally:
        session.close()


class _DaySession:
    """The GX project opened for one business date: its database sessions and its output folder."""

    def __init__(self, biz_date: dt.date, folder: Path) -> None:
        self.biz_date = biz_date
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.context = gx().get_context(
            mode="file",
            project_root_dir=PROJECT_ROOT,
            runtime_environment={URL_VARIABLE: _day_url(biz_date), OUTPUT_VARIABLE: str(folder)},
        )
        self.datasource = self.context.data_sources.get(DATASOURCE)
        for asset in self.datasource.assets:  # in memory only: the committed project is not rewritten
            asset.query = day_query(asset.batch_metadata["feed"], biz_date)
        self.engines = [self.datasource.get_execution_engine().engine, self.datasource.get_engine()]
        _probe_columns_without_rows(self.engines[0], [asset.query for asset in self.datasource.assets])

    def close(self) -> None:
        for engine in self.engines:
            engine.dispose()

    def run(self, code: str) -> tuple[FeedValidation, Any]:
        """Run the feed's checkpoint (the result is stored); returns it with its result identifier."""
        started = time.monotonic()
        self._require_table(code)
        checkpoint = self.context.checkpoints.get(suite_name(code))
        run_id = gx().RunIdentifier(run_name=f"{code}-{self.biz_date:%Y%m%d}", run_time=dt.datetime.now(dt.UTC))
        outcome = checkpoint.run(run_id=run_id)
        ((identifier, result),) = outcome.run_results.items()
        failures = [self._failure(code, item) for item in result.results if not item.success]
        evaluated = len(result.results)
        validation = FeedValidation(
            feed=code,
            biz_date=self.biz_date,
            success=not any(failure.blocking for failure in failures),
            rows=_row_count(result.results),
            evaluated=evaluated,
            passed=evaluated - len(failures),
            failures=failures,
            result_path=_file_path(
                self.context.validation_results_store.store_backend.get_url_for_key(identifier.to_tuple())
            ),
            seconds=time.monotonic() - started,
        )
        return validation, identifier

    def publish(self, runs: Sequence[tuple[FeedValidation, Any]]) -> None:
        """Build the date's Data Docs: a page per run just made, and the index of every run of the date."""
        started = time.monotonic()
        with _locked(self.folder / ".data_docs.lock"):  # checks of one date may run in parallel processes
            self.context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=[ident for _, ident in runs])
        index = self._docs_path(None)
        share = (time.monotonic() - started) / max(len(runs), 1)
        for validation, identifier in runs:
            validation.docs_path = self._docs_path(identifier)
            validation.docs_index = index
            validation.seconds += share

    def _require_table(self, code: str) -> None:
        from sqlalchemy import text

        table = feed(code).qualified_table
        with self.datasource.get_engine().connect() as connection:
            found = connection.execute(text("select to_regclass(:table)"), {"table": table}).scalar()
        if found is None:
            raise QualityError(
                f"{code} {self.biz_date:%Y-%m-%d}: table {table} does not exist in "
                f"{settings.db_settings().redacted_url}; load the feed first (bankperf load)."
            )

    def _docs_path(self, identifier: Any) -> Path | None:
        urls = self.context.get_docs_sites_urls(resource_identifier=identifier, site_name=DOCS_SITE)
        return _file_path(urls[0]["site_url"]) if urls and urls[0]["site_url"] else None

    def _failure(self, code: str, item: Any) -> FailedExpectation:
        config = item.expectation_config
        meta = config.meta or {}
        outcome: dict[str, Any] = item.result or {}
        common = {
            "feed": code,
            "biz_date": self.biz_date,
            "rule": meta.get("rule", config.type),
            "severity": _severity(config),
            "description": config.description or config.type,
            "expectation_type": config.type,
            "columns": tuple(meta.get("columns", ())),
        }
        error = _exception_message(item.exception_info)
        if error:
            return FailedExpectation(**common, unexpected_count=None, error=error)
        if config.type == "unexpected_rows_expectation":
            query = config.kwargs["unexpected_rows_query"]
            return FailedExpectation(
                **common,
                unexpected_count=outcome.get("observed_value"),
                samples=tuple(self._sample_rows(code, query)),
            )
        if "unexpected_count" in outcome:
            return FailedExpectation(
                **common, unexpected_count=outcome["unexpected_count"], samples=_map_samples(outcome, config)
            )
        return FailedExpectation(**common, unexpected_count=None, observed=outcome.get("observed_value"))

    def _sample_rows(self, code: str, query: str) -> list[dict[str, Any]]:
        """A few rows the query returns: GX keeps only their count in a summary result.

        ``{batch}`` is substituted as GX does (see :func:`bankperf.quality.rules.no_rows`).
        """
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        batch_query = self.datasource.get_asset(asset_name(code)).query
        batch = f"({batch_query})" if _has_join(query) else f"({batch_query}) as subselect"
        sample = f"select * from ({query.format(batch=batch)}) as unexpected limit {PARTIAL_SAMPLES}"
        try:
            with self.datasource.get_engine().connect() as connection:
                return [dict(row._mapping) for row in connection.execute(text(sample))]
        except SQLAlchemyError as exc:  # the count stands; only the examples are missing
            logger.warning("%s %s: could not fetch sample rows: %s", code, self.biz_date, exc)
            return []


def _probe_columns_without_rows(engine: Any, asset_queries: Sequence[str]) -> None:
    """Keep GX from pulling a whole day into Python to learn a query asset's column names.

    GX 1.24 gets them by executing the asset's bare query and reading only the cursor's
    description (``column_reflection_fallback`` in great_expectations/expectations/metrics/
    util.py); psycopg2 transfers every row first — a million-row day costs seconds and
    hundreds of MB. Every other statement GX runs wraps the asset query in a subquery, so the
    bare query is recognisable: it is run with ``limit 0``, same columns, no rows.
    """
    from sqlalchemy import event

    bare = {query.strip() for query in asset_queries}

    def columns_only(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> Any:
        if statement.strip() in bare:
            statement = f"select * from ({statement}) as columns_only limit 0"
        return statement, parameters

    event.listen(engine, "before_cursor_execute", columns_only, retval=True)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``path`` (created if missing), released on exit."""
    import fcntl

    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _exception_message(info: Any) -> str | None:
    """GX reports an expectation that raised either flat or keyed by the metric that failed."""
    if not isinstance(info, Mapping):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, Mapping) and value.get("raised_exception"):
            return str(value.get("exception_message")).strip().splitlines()[0]
    return None


def _severity(config: Any) -> str:
    """GX's severity of the expectation ("critical" when unset, as GX defaults it)."""
    value = getattr(config, "severity", None) or CRITICAL
    return str(getattr(value, "value", value))


def _has_join(query: str) -> bool:
    without_literals = re.sub(r"'(?:[^']|'')*'", "''", query)
    return re.search(r"\bjoin\b", without_literals, re.IGNORECASE) is not None


def _map_samples(outcome: Mapping[str, Any], config: Any) -> tuple[Mapping[str, Any], ...]:
    """Offending rows of a column expectation: the feed's key beside the value (or the values alone)."""
    indexed = outcome.get("partial_unexpected_index_list")
    if indexed:
        return tuple(dict(entry) for entry in indexed[:PARTIAL_SAMPLES])
    column = config.kwargs.get("column", "value")
    return tuple({column: value} for value in outcome.get("partial_unexpected_list", [])[:PARTIAL_SAMPLES])


def _row_count(results: Sequence[Any]) -> int | None:
    counts = [item.result.get("element_count") for item in results if item.result]
    counts = [count for count in counts if isinstance(count, int)]
    return max(counts) if counts else None


def _file_path(url: str) -> Path:
    return Path(unquote(urlparse(url).path))


def _describe(sample: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}={_short(value)}" for name, value in sample.items())


def _short(value: Any, limit: int = 200) -> str:
    if value is None:
        return "(empty)"
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
