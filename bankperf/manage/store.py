"""Append-only history of management inputs in schema ``control``.

- ``control.import_batches``: one row per import (kind, file, MD5, rows, who, when, why).
- ``control.<table>``: every row ever imported, with its batch and row number; updates and
  deletes are refused by a trigger, so history cannot be rewritten: a correction is a new
  version (import the set again), a withdrawal is ``action = RETIRE``.
- ``control.<table>_current``: the sets in force (each set's latest batch, unless retired).
- ``control.<table>_history``: every version with who, when and why, for auditors.
- ``control.restatement_log``: sets whose dates reach back before the latest built business
  date, so the nightly run restates them (written here, marked done by the run).

Who may import (contract with the access issue, point 6): the table owner (the command line) and
the ``office`` role, which gets exactly what an import needs (:data:`OFFICE_GRANTS`): it reads
and appends the control tables, and learns the known employees and institutions and the last
built date through three ``security definer`` functions instead of reading ``raw`` or ``marts``.
Importing needs no DDL: :func:`ensure_tables` runs at ``bankperf db start`` and in the command line.
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
    # the login that imported (the portal's user through SET ROLE); imported_by stays the free-text name
    "alter table control.import_batches add column if not exists imported_login text not null default current_user",
    """
    create or replace function control.latest_built_date() returns date
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp as $$
    begin
        if to_regclass('marts.fct_account_daily') is null then
            return null;
        end if;
        return (select max(daily.biz_date) from marts.fct_account_daily as daily);
    end $$
    """,
    """
    create or replace function control.known_employees() returns setof text
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp as $$
    begin
        if to_regclass('raw.emp') is not null then
            return query select distinct btrim(emp.emp_id) from raw.emp as emp;
        end if;
    end $$
    """,
    """
    create or replace function control.known_institutions() returns setof text
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp as $$
    begin
        if to_regclass('raw.org') is not null then
            return query select distinct btrim(org.org_id) from raw.org as org;
        end if;
    end $$
    """,
    "revoke all on function control.latest_built_date(), control.known_employees(), control.known_institutions()"
    " from public",
]
OFFICE_ROLE = "office"


def _start_column(kind: Kind) -> str | None:
    """The column dating a set; None for kinds that restate nothing (plans, appraisal scores)."""
    starts = ("effective_date", "start_date", "transfer_date", "month")
    return next((name for name in starts if name in kind.column_names), None)


def ensure_tables(conn: psycopg.Connection) -> None:
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
    """Append one batch in one transaction; log restatements for sets dated before the latest built date.

    The tables must exist (:func:`ensure_tables`); the connection may be the office's (no DDL here)."""
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
        if built_to is not None and start is not None:
            past = {set_key(kind, row): row.values[start] for row in rows if row.values[start] <= built_to}
            for key, from_date in sorted(past.items()):
                conn.execute(
                    "insert into control.restatement_log (batch_id, kind, set_key, from_date, reason, requested_by) "
                    "values (%s, %s, %s, %s, %s, %s)",
                    (batch_id, kind.name, key, from_date, reason, by),
                )
    return int(batch_id)


def latest_built_date(conn: psycopg.Connection) -> object | None:
    """The last business date the warehouse has built (None before the first build)."""
    return conn.execute("select control.latest_built_date()").fetchone()[0]


def current_rows(conn: psycopg.Connection, kind: Kind) -> list[dict[str, object]]:
    cur = conn.execute(
        sql.SQL("select {} from control.{} order by set_key, row_no").format(
            sql.SQL(", ").join(map(sql.Identifier, kind.column_names)), sql.Identifier(f"{kind.table}_current")
        )
    )
    return [dict(zip(kind.column_names, row, strict=True)) for row in cur]


def known_employees(conn: psycopg.Connection) -> set[str] | None:
    """Employees of the EMP feed (any loaded date); None when nothing is loaded yet (no check then)."""
    found = {row[0] for row in conn.execute("select control.known_employees()")}
    return found or None


def known_institutions(conn: psycopg.Connection) -> set[str] | None:
    """Institutions of the ORG feed (any loaded date); None when nothing is loaded yet (no check then)."""
    found = {row[0] for row in conn.execute("select control.known_institutions()")}
    return found or None


def grant_office(conn: psycopg.Connection) -> None:
    """What the ``office`` role needs to import every kind (when the role exists): see the module doc."""
    if conn.execute("select 1 from pg_roles where rolname = %s", (OFFICE_ROLE,)).fetchone() is None:
        return
    office = sql.Identifier(OFFICE_ROLE)
    tables = [sql.Identifier("control", name) for name in ("import_batches", "restatement_log")]
    for kind in kinds().values():
        tables += [sql.Identifier("control", kind.table)]
    views = [sql.Identifier("control", f"{kind.table}{suffix}") for kind in kinds().values()
             for suffix in ("_current", "_history")]
    conn.execute(sql.SQL("grant usage on schema control to {}").format(office))
    conn.execute(sql.SQL("grant select, insert on {} to {}").format(sql.SQL(", ").join(tables), office))
    conn.execute(sql.SQL("grant select on {} to {}").format(sql.SQL(", ").join(views), office))
    conn.execute(sql.SQL(
        "grant execute on function control.latest_built_date(), control.known_employees(), "
        "control.known_institutions() to {}").format(office))
