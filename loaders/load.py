"""Load one business date (or a range) from an inbox into ``raw``, one feed at a time.

Each feed-date is one transaction: create a table for this load, stream the good lines
into it with ``COPY``, check the file against its control record (row count, MD5), record
the rejects, swap the table in as the date's partition, and mark the load-log row LOADED.
Any failure rolls all of it back (the previous state of that feed-date stays) and the
load-log row says FAILED and why. Loaded + rejected = the control count, always.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from bankperf.settings import service_settings
from loaders import audit, ddl
from loaders.contract import Feed, feeds
from loaders.delivery import ControlFile, DeliveryError, data_file, day_dir, read_control, ready_feeds
from loaders.reader import ScanResult, scan_fast, scan_strict
from loaders.retention import archive_path, archived_inbox


class LoadError(Exception):
    """A feed-date that could not be loaded; nothing of it was loaded."""


@dataclass
class FeedResult:
    feed: str
    biz_date: dt.date
    status: str  # LOADED | FAILED
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    seconds: float = 0.0
    error: str | None = None
    load_id: int | None = None


@dataclass
class DateResult:
    biz_date: dt.date
    feeds: list[FeedResult] = field(default_factory=list)
    error: str | None = None  # a refusal of the whole day (no READY)

    @property
    def ok(self) -> bool:
        return self.error is None and all(result.status == "LOADED" for result in self.feeds)

    def errors(self) -> list[str]:
        found = [self.error] if self.error else []
        found += [f"{r.feed} {r.biz_date:%Y%m%d}: {r.error}" for r in self.feeds if r.error]
        return found


def ensure_raw_tables(conn: psycopg.Connection) -> None:
    """The raw parent tables and the load audit (idempotent). The loader's login only checks they are
    there: ``bankperf db start``/``grant`` create them."""
    from bankperf.service_logins import set_up_for_service

    if set_up_for_service(conn, [*audit.RELATIONS, *(f"raw.{feed.table}" for feed in feeds().values())]):
        return
    conn.execute("create schema if not exists raw")
    conn.execute("create schema if not exists audit")
    audit.ensure_tables(conn)
    for feed in feeds().values():
        conn.execute(ddl.create_parent(feed))
        conn.execute(ddl.comment_parent(feed))


def load_feed(conn_url: str, inbox: Path, feed: Feed, biz_date: dt.date) -> FeedResult:
    """Load one feed-date atomically; never raises for bad input, reports it in the result."""
    started = time.monotonic()
    path = data_file(inbox, feed.code, biz_date)
    with psycopg.connect(conn_url, autocommit=True) as log_conn:
        load_id = audit.start(log_conn, feed.code, biz_date, str(path))
        try:
            result = _load_in_transaction(conn_url, inbox, feed, biz_date, load_id, path)
        except (DeliveryError, LoadError, psycopg.Error) as exc:
            message = str(exc).strip()
            audit.finish(log_conn, load_id, status="FAILED", error=message)
            return FeedResult(feed.code, biz_date, "FAILED", error=message, load_id=load_id,
                              seconds=time.monotonic() - started)
    result.seconds = time.monotonic() - started
    return result


def _load_in_transaction(
    conn_url: str, inbox: Path, feed: Feed, biz_date: dt.date, load_id: int, path: Path
) -> FeedResult:
    control = read_control(inbox, feed.code, biz_date)
    if not path.is_file():
        raise DeliveryError(f"{path}: data file missing for feed {feed.code} of {biz_date:%Y%m%d}.")
    with psycopg.connect(conn_url) as conn:  # one transaction: commits on success, rolls back on error
        conn.execute(ddl.create_load_table(feed, biz_date, load_id))
        scanned = _copy_file(conn, feed, load_id, path, control)
        conn.execute("set local client_encoding = 'UTF8'")
        if scanned.md5 != control.md5:
            raise LoadError(
                f"{path}: MD5 {scanned.md5} does not match the control file's {control.md5} "
                "(the file is truncated, altered or not the one the control describes); nothing loaded."
            )
        if scanned.lines_read != control.row_count:
            raise LoadError(
                f"{path}: {scanned.lines_read} data lines, but {control.path.name} says {control.row_count}; "
                "nothing loaded."
            )
        audit.record_rejects(conn, load_id, feed.code, biz_date, scanned.rejects)
        exists = conn.execute(
            "select 1 from pg_class join pg_namespace on pg_namespace.oid = relnamespace "
            "where nspname = 'raw' and relname = %s",
            (ddl.partition_name(feed, biz_date),),
        ).fetchone()
        for statement in ddl.swap_in(feed, biz_date, load_id, partition_exists=exists is not None):
            conn.execute(statement)
        audit.finish(
            conn,
            load_id,
            status="LOADED",
            encoding=control.encoding,
            ctl_row_count=control.row_count,
            ctl_md5=control.md5,
            file_md5=scanned.md5,
            rows_read=scanned.lines_read,
            rows_loaded=scanned.lines_good,
            rows_rejected=len(scanned.rejects),
            error=None,
        )
    return FeedResult(
        feed.code, biz_date, "LOADED", scanned.lines_read, scanned.lines_good, len(scanned.rejects), load_id=load_id
    )


def _copy_file(conn: psycopg.Connection, feed: Feed, load_id: int, path: Path, control: ControlFile) -> ScanResult:
    """COPY the file's good lines into the load table: the fast path, or the strict one if the server refuses a line."""
    try:
        with conn.transaction():  # a savepoint: a refused fast COPY leaves the load table empty
            conn.execute(sql.SQL("set local client_encoding = {}").format(sql.Literal(control.pg_encoding)))
            with conn.cursor().copy(ddl.copy_statement(feed, load_id)) as copy:
                return scan_fast(path, feed, control.codec, copy.write)
    except (psycopg.errors.DataError, psycopg.errors.IntegrityError):
        pass  # some line holds a value the server cannot read: check every line against the contract
    conn.execute("set local client_encoding = 'UTF8'")
    try:
        with conn.cursor().copy(ddl.copy_statement(feed, load_id)) as copy:
            return scan_strict(path, feed, control.codec, copy.write)
    except (psycopg.errors.DataError, psycopg.errors.IntegrityError) as exc:
        raise LoadError(f"{path}: PostgreSQL refused a line the contract allows: {str(exc).strip()}") from exc


def load_date(inbox: Path, biz_date: dt.date, only: Iterable[str] | None = None, quiet: bool = False) -> DateResult:
    """Load every feed of one business date (as the loader's login); a day without READY is refused whole."""
    conn_url = service_settings("loader").url
    with psycopg.connect(conn_url, autocommit=True) as conn:
        ensure_raw_tables(conn)
    result = DateResult(biz_date)
    try:
        listed = set(ready_feeds(inbox, biz_date))
    except DeliveryError as exc:
        result.error = str(exc)
        _say(quiet, f"{biz_date:%Y-%m-%d} REFUSED {exc}")
        return result
    wanted = [code.upper() for code in only] if only else list(feeds())
    for code in wanted:
        feed = feeds()[code]
        if code not in listed:
            outcome = _refuse_unlisted(conn_url, inbox, feed, biz_date)
        else:
            outcome = load_feed(conn_url, inbox, feed, biz_date)
        result.feeds.append(outcome)
        if outcome.status == "LOADED":
            _say(quiet, f"{biz_date:%Y-%m-%d} {code:<5} loaded {outcome.rows_loaded:>10,} rejected "
                        f"{outcome.rows_rejected:>6,} in {outcome.seconds:6.2f}s")
        else:
            _say(quiet, f"{biz_date:%Y-%m-%d} {code:<5} FAILED {outcome.error}")
    return result


def _refuse_unlisted(conn_url: str, inbox: Path, feed: Feed, biz_date: dt.date) -> FeedResult:
    """A feed the day's READY does not list was not delivered: log it as a failed load."""
    message = (f"{data_file(inbox, feed.code, biz_date).parent / 'READY'}: feed {feed.code} is not listed, "
               "so it was not delivered for this day; nothing of it loaded.")
    with psycopg.connect(conn_url, autocommit=True) as log_conn:
        load_id = audit.start(log_conn, feed.code, biz_date, str(data_file(inbox, feed.code, biz_date)))
        audit.finish(log_conn, load_id, status="FAILED", error=message)
    return FeedResult(feed.code, biz_date, "FAILED", error=message, load_id=load_id)


def load_range(inbox: Path, first: dt.date, last: dt.date, quiet: bool = False) -> list[DateResult]:
    """Load each date from first to last in order (every date is attempted; failures are reported).

    A date without a folder in the inbox is loaded from its archive when it has one (see
    :mod:`loaders.retention`): any archived date can be reloaded.
    """
    results = []
    day = first
    while day <= last:
        if not day_dir(inbox, day).exists() and archive_path(day).is_file():
            _say(quiet, f"{day:%Y-%m-%d} not in {inbox}: reloading the archived delivery {archive_path(day)}")
            with archived_inbox(day) as unpacked:
                results.append(load_date(unpacked, day, quiet=quiet))
        else:
            results.append(load_date(inbox, day, quiet=quiet))
        day += dt.timedelta(days=1)
    return results


def _say(quiet: bool, message: str) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)
