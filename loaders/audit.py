"""The audit trail of every load: ``audit.load_log`` and ``audit.rejected_rows``.

A load-log row is written before any data moves (status RUNNING, in its own transaction)
so a crash leaves a trace; it turns LOADED in the same transaction that publishes the data,
or FAILED with the error. The table enforces the contract's promise: a LOADED row's loaded
plus rejected rows equal the control file's count.
"""

from __future__ import annotations

import datetime as dt

import psycopg

from loaders.reader import Reject

DDL = [
    """
    create table if not exists audit.load_log (
        load_id bigint generated always as identity primary key,
        feed text not null,
        biz_date date not null,
        file_name text not null,
        encoding text,
        ctl_row_count bigint,
        ctl_md5 text,
        file_md5 text,
        rows_read bigint,
        rows_loaded bigint,
        rows_rejected bigint,
        status text not null check (status in ('RUNNING', 'LOADED', 'FAILED', 'ABANDONED')),
        error text,
        started_at timestamptz not null default clock_timestamp(),
        finished_at timestamptz,
        loaded_by text not null default current_user,
        constraint loaded_rows_balance check (
            status <> 'LOADED' or (rows_loaded + rows_rejected = ctl_row_count and rows_read = ctl_row_count)
        )
    )
    """,
    "create index if not exists load_log_feed_date on audit.load_log (feed, biz_date)",
    """
    comment on table audit.load_log is
    'One row per load attempt of a feed-date: file, MD5, rows read/loaded/rejected, status and error.'
    """,
    """
    create table if not exists audit.rejected_rows (
        load_id bigint not null references audit.load_log (load_id),
        feed text not null,
        biz_date date not null,
        line_no bigint not null,
        raw_line text not null,
        reason text not null,
        primary key (feed, biz_date, line_no)
    )
    """,
    """
    comment on table audit.rejected_rows is
    'Lines of the current load of a feed-date that broke the contract, with the reason; replaced on reload.'
    """,
    """
    create or replace view audit.current_loads as
    select distinct on (feed, biz_date) *
    from audit.load_log
    where status in ('LOADED', 'FAILED')
    order by feed, biz_date, load_id desc
    """,
    """
    comment on view audit.current_loads is
    'The latest finished load attempt per feed-date: what raw holds now (LOADED) or why it failed.'
    """,
]


RELATIONS = ("audit.load_log", "audit.rejected_rows", "audit.current_loads")


def ensure_tables(conn: psycopg.Connection) -> None:
    """Create the load audit (idempotent). A service login only checks it is there:
    ``bankperf db start``/``grant`` create it, as the bootstrap login."""
    from bankperf.service_logins import set_up_for_service

    if set_up_for_service(conn, RELATIONS):
        return
    for statement in DDL:
        conn.execute(statement)


def start(conn: psycopg.Connection, feed: str, biz_date: dt.date, file_name: str) -> int:
    """Log a load attempt as RUNNING (autocommit connection) and mark stale attempts ABANDONED."""
    conn.execute(
        "update audit.load_log set status = 'ABANDONED', finished_at = clock_timestamp(), "
        "error = 'the process stopped before the load finished; superseded by a later load' "
        "where feed = %s and biz_date = %s and status = 'RUNNING'",
        (feed, biz_date),
    )
    row = conn.execute(
        "insert into audit.load_log (feed, biz_date, file_name, status) values (%s, %s, %s, 'RUNNING') "
        "returning load_id",
        (feed, biz_date, file_name),
    ).fetchone()
    return int(row[0])


def record_rejects(conn: psycopg.Connection, load_id: int, feed: str, biz_date: dt.date, rejects: list[Reject]) -> None:
    """Replace the feed-date's rejects with this load's (inside the load's transaction)."""
    conn.execute("delete from audit.rejected_rows where feed = %s and biz_date = %s", (feed, biz_date))
    if not rejects:
        return
    with conn.cursor().copy(
        "copy audit.rejected_rows (load_id, feed, biz_date, line_no, raw_line, reason) from stdin"
    ) as copy:
        for reject in rejects:
            raw_line = reject.raw_line.replace("\x00", "")  # PostgreSQL text cannot hold NUL
            copy.write_row((load_id, feed, biz_date, reject.line_no, raw_line, reject.reason))


def finish(conn: psycopg.Connection, load_id: int, **values: object) -> None:
    """Set the attempt's outcome (status, counts, md5s, error) and its finish time."""
    assignments = ", ".join(f"{name} = %({name})s" for name in values)
    conn.execute(
        f"update audit.load_log set {assignments}, finished_at = clock_timestamp() where load_id = %(load_id)s",
        {**values, "load_id": load_id},
    )
