"""Append-only history of management inputs in schema ``control``.

- ``control.import_batches``: one row per import (kind, file, MD5, rows, who, when, why).
- ``control.<table>``: every row ever imported, with its batch and row number; updates and
  deletes are refused by a trigger, so history cannot be rewritten: a correction is a new
  version (import the set again), a withdrawal is ``action = RETIRE``.
- ``control.<table>_current``: the sets in force (each set's latest batch, unless retired).
- ``control.<table>_history``: every version with who, when and why, for auditors.
- ``control.restatement_log``: sets whose dates reach back before the latest built business
  date, so the nightly run restates them (written here; :func:`log_restatements_done` marks
  them done after the run's dbt build carried them out).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import psycopg
from psycopg import sql

from bankperf.manage.catalog import Kind, kinds
from bankperf.manage.validate import Row

BASE_DDL = [
    """
    create table if not exists control.import_batches (
        batch_id bigint generated always as identity primary key,
        kind text not null,
        file_name text not null,
        file_md5 text not null,
        row_count integer not null,
        imported_by text not null,
        reason text not null,
        imported_at timestamptz not null default clock_timestamp()
    )
    """,
    """
    create or replace function control.refuse_change() returns trigger language plpgsql as $$
    begin
        raise exception 'control.% is append-only history: import a correction instead of %',
            tg_table_name, lower(tg_op);
    end $$
    """,
    """
    create table if not exists control.restatement_log (
        restatement_id bigint generated always as identity primary key,
        batch_id bigint not null references control.import_batches (batch_id),
        kind text not null,
        set_key text not null,
        from_date date not null,
        reason text not null,
        requested_by text not null,
        requested_at timestamptz not null default clock_timestamp(),
        status text not null default 'PENDING' check (status in ('PENDING', 'DONE')),
        restated_to date,
        restated_at timestamptz
    )
    """,
    # carried out by the nightly build (dbt model fct_account_owner_daily, post-hook): from which
    # date it restated, how many accounts; a restatement the build detects itself (a REL relation
    # dated back) has no import batch
    "alter table control.restatement_log add column if not exists restated_from date",
    "alter table control.restatement_log add column if not exists accounts_restated integer",
    "alter table control.restatement_log alter column batch_id drop not null",
    # the database login that imported (the office user, also through the portal's SET ROLE); the
    # free-text imported_by / requested_by stays as the importer's comment
    "alter table control.import_batches add column if not exists imported_login text not null default current_user",
    "alter table control.restatement_log add column if not exists requested_login text default current_user",
]


def _start_column(kind: Kind) -> str | None:
    """The column dating a set; None for kinds that restate nothing (plans, appraisal scores)."""
    starts = ("effective_date", "start_date", "transfer_date", "month")
    return next((name for name in starts if name in kind.column_names), None)


def ensure_tables(conn: psycopg.Connection) -> None:
    """Create or upgrade the control tables; a user role (the office importing) only checks they are there."""
    if conn.execute("select to_regnamespace('control') is not null").fetchone()[0] and not conn.execute(
        "select has_schema_privilege('control', 'create')"
    ).fetchone()[0]:
        if conn.execute("select to_regclass('control.import_batches')").fetchone()[0] is None:
            raise RuntimeError("the control tables are not set up: run bankperf db start (or db grant) first")
        return
    conn.execute("create schema if not exists control")
    for statement in BASE_DDL:
        conn.execute(statement)
    for kind in kinds().values():
        table = sql.Identifier(kind.table)
        columns = sql.SQL(",\n").join(
            sql.SQL("{} {}").format(sql.Identifier(f.name), sql.SQL(f.pg_type)) for f in kind.fields
        )
        conn.execute(sql.SQL(
            "create table if not exists control.{table} (\n"
            "version_id bigint generated always as identity primary key,\n"
            "batch_id bigint not null references control.import_batches (batch_id),\n"
            "row_no integer not null,\nset_key text not null,\n{columns})"
        ).format(table=table, columns=columns))
        conn.execute(sql.SQL("comment on table control.{} is {}").format(table, sql.Literal(kind.description)))
        conn.execute(sql.SQL(
            "create or replace trigger {name} before update or delete on control.{table} "
            "for each row execute function control.refuse_change()"
        ).format(name=sql.Identifier(f"{kind.table}_append_only"), table=table))
        conn.execute(sql.SQL(
            "create or replace view control.{current} as\n"
            "select versions.* from control.{table} as versions\n"
            "where versions.batch_id = (select max(latest.batch_id) from control.{table} as latest "
            "where latest.set_key = versions.set_key)\n"
            "and coalesce(versions.action, 'UPSERT') <> 'RETIRE'"
        ).format(current=sql.Identifier(f"{kind.table}_current"), table=table))
        conn.execute(sql.SQL(
            "create or replace view control.{history} as\n"
            "select versions.*, batches.imported_by, batches.imported_at, batches.reason, batches.file_name\n"
            "from control.{table} as versions join control.import_batches as batches using (batch_id)"
        ).format(history=sql.Identifier(f"{kind.table}_history"), table=table))


def set_key(kind: Kind, row: Row) -> str:
    return "|".join("" if row.values[name] is None else str(row.values[name]) for name in kind.set_columns)


def import_rows(conn: psycopg.Connection, kind: Kind, rows: list[Row], path: Path, by: str, reason: str) -> int:
    """Append one batch in one transaction; log restatements for sets dated before the latest built date."""
    ensure_tables(conn)
    digest = hashlib.md5(Path(path).read_bytes()).hexdigest()
    with conn.transaction():
        batch_id = conn.execute(
            "insert into control.import_batches (kind, file_name, file_md5, row_count, imported_by, reason) "
            "values (%s, %s, %s, %s, %s, %s) returning batch_id",
            (kind.name, str(path), digest, len(rows), by, reason),
        ).fetchone()[0]
        names = ["batch_id", "row_no", "set_key", *kind.column_names]
        statement = sql.SQL("copy control.{} ({}) from stdin").format(
            sql.Identifier(kind.table), sql.SQL(", ").join(map(sql.Identifier, names))
        )
        with conn.cursor().copy(statement) as copy:
            for row in rows:
                copy.write_row([batch_id, row.row_no, set_key(kind, row), *(row.values[n] for n in kind.column_names)])
        built_to = latest_built_date(conn)
        start = _start_column(kind)
        if built_to is not None and start is not None and kind.restates:
            past = {set_key(kind, row): row.values[start] for row in rows if row.values[start] <= built_to}
            for key, from_date in sorted(past.items()):
                conn.execute(
                    "insert into control.restatement_log (batch_id, kind, set_key, from_date, reason, requested_by) "
                    "values (%s, %s, %s, %s, %s, %s)",
                    (batch_id, kind.name, key, from_date, reason, by),
                )
    return int(batch_id)


# What the ownership build restated: dbt's table of the build's restatements (one row per account
# and reason, `is_restated` when it was recomputed) and the owner fact it rebuilt.
BUILD_RESTATEMENTS = "intermediate.int_ownership_restatements"
OWNER_FACT = "marts.fct_account_owner_daily"


def log_restatements_done(conn: psycopg.Connection) -> int:
    """After a successful dbt build: mark the pending ownership restatements it carried out DONE
    (with the restated range and the number of accounts), and log the ones the build found itself
    (a REL relation dated back), in one transaction. Returns the number of log entries written.

    dbt computes which accounts to restate (``int_ownership_restatements``); the log is this
    module's, so the run writes it here once the build has passed, not dbt as a side effect of a
    model: a build that fails leaves the entries PENDING and the next build restates them again.
    """
    if conn.execute("select to_regclass(%s)", (BUILD_RESTATEMENTS,)).fetchone()[0] is None:
        return 0  # no ownership build yet
    with conn.transaction():
        done = conn.execute(f"""
            update control.restatement_log as log_entry
            set
                status = 'DONE',
                restated_from = carried_out.from_date,
                restated_to = (select max(biz_date) from {OWNER_FACT}),
                restated_at = clock_timestamp(),
                accounts_restated = carried_out.account_count
            from (
                select
                    restatement_id,
                    min(from_date) filter (where is_restated) as from_date,
                    count(distinct (acct_type, acct_no, sub_acct_no)) filter (where is_restated) as account_count
                from {BUILD_RESTATEMENTS}
                where restatement_id is not null
                group by restatement_id
            ) as carried_out
            where
                log_entry.restatement_id = carried_out.restatement_id
                and log_entry.status = 'PENDING'
        """).rowcount
        found = conn.execute(f"""
            insert into control.restatement_log (
                kind, set_key, from_date, reason, requested_by, status,
                restated_from, restated_to, restated_at, accounts_restated
            )
            select
                kind,
                acct_type || '|' || acct_no || '|' || sub_acct_no,
                requested_from_date,
                reason,
                'nightly build',
                'DONE',
                from_date,
                (select max(biz_date) from {OWNER_FACT}),
                clock_timestamp(),
                1
            from {BUILD_RESTATEMENTS}
            where restatement_id is null and is_restated
        """).rowcount
    return done + found


def _reads_raw(conn: psycopg.Connection) -> bool:
    """Whether this connection may read the loaded feeds (a user role may not: it reads published)."""
    query = "select to_regnamespace('raw') is null or has_schema_privilege('raw', 'usage')"
    return bool(conn.execute(query).fetchone()[0])


def latest_built_date(conn: psycopg.Connection) -> object | None:
    """The last business date the warehouse has built (None before the first build)."""
    reads_marts = "select to_regnamespace('marts') is null or has_schema_privilege('marts', 'usage')"
    if not conn.execute(reads_marts).fetchone()[0]:
        return conn.execute("select access.latest_built_date()").fetchone()[0]
    exists = conn.execute("select to_regclass('marts.fct_account_daily')").fetchone()[0]
    if exists is None:
        return None
    return conn.execute("select max(biz_date) from marts.fct_account_daily").fetchone()[0]


def current_rows(conn: psycopg.Connection, kind: Kind) -> list[dict[str, object]]:
    ensure_tables(conn)
    cur = conn.execute(
        sql.SQL("select {} from control.{} order by set_key, row_no").format(
            sql.SQL(", ").join(map(sql.Identifier, kind.column_names)), sql.Identifier(f"{kind.table}_current")
        )
    )
    return [dict(zip(kind.column_names, row, strict=True)) for row in cur]


def known_employees(conn: psycopg.Connection) -> set[str] | None:
    """Employees of the EMP feed (any loaded date); None when nothing is loaded yet (no check then).
    A user role (the office through the portal) checks against the published employees."""
    if not _reads_raw(conn):
        return _published_ids(conn, "dim_employee", "emp_id")
    if conn.execute("select to_regclass('raw.emp')").fetchone()[0] is None:
        return None
    found = {row[0] for row in conn.execute("select distinct btrim(emp_id) from raw.emp")}
    return found or None


def known_institutions(conn: psycopg.Connection) -> set[str] | None:
    """Institutions of the ORG feed (any loaded date); None when nothing is loaded yet (no check then)."""
    if not _reads_raw(conn):
        return _published_ids(conn, "dim_institution", "org_id")
    if conn.execute("select to_regclass('raw.org')").fetchone()[0] is None:
        return None
    found = {row[0] for row in conn.execute("select distinct btrim(org_id) from raw.org")}
    return found or None


def _published_ids(conn: psycopg.Connection, view: str, column: str) -> set[str] | None:
    if conn.execute("select to_regclass(%s)", (f"published.{view}",)).fetchone()[0] is None:
        return None
    query = sql.SQL("select distinct {} from published.{}").format(sql.Identifier(column), sql.Identifier(view))
    return {row[0] for row in conn.execute(query)} or None
