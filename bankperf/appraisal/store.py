"""The results store: schema ``appraisal``, append-only, written by ``bankperf period close|reopen``.

- ``appraisal.closes``: one row per close of a period (2026Q1, 2026-03, 2026): its id, the period,
  the version (1, 2, ... per period), the day the results were taken at (the period's last day),
  who (``current_user``: the office login, also through the portal) and when, a note, and the
  versions used: the plan and score batches in force, every management input's batches in force
  (``input_batches``) and the scheme version (:mod:`bankperf.appraisal.versions`).
- ``appraisal.reopenings``: a reopening of a close, with its reason (required), who and when.
- ``appraisal.closed_results`` / ``closed_scorecard_lines`` / ``closed_indicator_values``: the
  results as they stood at the close — the scorecard per subject (scores by part, ranks, grades),
  its lines, and every indicator value with its plan and completion on the period's last day.

Nothing here is ever updated or deleted: triggers refuse UPDATE, DELETE and TRUNCATE (for every
login, the owner's included), and the office is granted SELECT and INSERT only. A frozen line may
only be written in the transaction of its own close, a close only when the period is not closed,
a reopening only of the period's latest close, once. A period is closed while its latest close has
no reopening; a second close is the next version, and every version stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from psycopg import sql

SCHEMA = "appraisal"
LOCK_KEY = 7_405_890_151  # pg_advisory_xact_lock key: "bankperf period close" (one close at a time)

KEY = [("subject_type", "text"), ("subject_id", "text")]
# the frozen tables: name -> (published view it is taken from, its columns)
RESULT_COLUMNS = [
    *KEY, ("subject_name", "text"), ("parent_org_id", "text"), ("role_code", "text"),
    ("indicator_count", "integer"), ("indicators_without_plan", "integer"), ("indicator_score", "numeric"),
    ("manual_points", "numeric"), ("performance_score", "numeric"), ("ability_score", "numeric"),
    ("attitude_score", "numeric"), ("performance_weight_pct", "numeric"), ("ability_weight_pct", "numeric"),
    ("attitude_weight_pct", "numeric"), ("total_score", "numeric"), ("rank_in_bank", "integer"),
    ("peers_in_bank", "integer"), ("rank_in_institution", "integer"), ("peers_in_institution", "integer"),
    ("grade_method", "text"), ("grade_basis", "text"), ("computed_grade", "text"), ("grade", "text"),
    ("grade_status", "text"), ("grade_decision_reason", "text"),
]
LINE_COLUMNS = [
    *KEY, ("indicator_code", "text"), ("subject_name", "text"), ("parent_org_id", "text"), ("role_code", "text"),
    ("evaluated_subject", "text"), ("caliber", "text"), ("value", "numeric"), ("plan_value", "numeric"),
    ("completion_pct", "numeric"), ("weight_pct", "numeric"), ("floor_pct", "numeric"), ("cap_pct", "numeric"),
    ("score_pct", "numeric"), ("weighted_score", "numeric"),
]
INDICATOR_COLUMNS = [
    *KEY, ("caliber", "text"), ("indicator_code", "text"), ("subject_name", "text"), ("parent_org_id", "text"),
    ("value", "numeric"), ("plan_value", "numeric"), ("completion_pct", "numeric"), ("plan_period", "text"),
]
FROZEN = {
    "closed_results": ("mart_scorecard", RESULT_COLUMNS, True),
    "closed_scorecard_lines": ("mart_scorecard_line", LINE_COLUMNS, True),
    "closed_indicator_values": ("mart_indicator_value", INDICATOR_COLUMNS, False),  # every indicator of the day
}


def _frozen_ddl(table: str, columns: Sequence[tuple[str, str]]) -> str:
    body = ",\n".join(f"    {name} {pg_type}" for name, pg_type in columns)
    return (f"create table if not exists {SCHEMA}.{table} (\n"
            f"    close_id bigint not null references {SCHEMA}.closes (close_id),\n{body}\n)")


DDL = [
    f"create schema if not exists {SCHEMA}",
    f"""
    create table if not exists {SCHEMA}.closes (
        close_id bigint generated always as identity primary key,
        period text not null,
        period_type text not null check (period_type in ('MONTH', 'QUARTER', 'YEAR')),
        version integer not null,
        biz_date date not null,
        closed_by text not null default current_user,
        closed_at timestamptz not null default clock_timestamp(),
        note text,
        plan_batch_ids bigint[] not null,
        score_batch_ids bigint[] not null,
        input_batches jsonb not null,
        scheme_version text not null,
        scheme_parts jsonb not null,
        unique (period, version)
    )
    """,
    f"""
    comment on table {SCHEMA}.closes is 'One row per close of an appraisal period (bankperf period close): '
    'version, who (the database login), when, the day the results were taken at (the period''s last day) and '
    'the versions used: plan and score batches, every management input batch in force, the scheme version.'
    """,
    f"""
    create table if not exists {SCHEMA}.reopenings (
        reopening_id bigint generated always as identity primary key,
        close_id bigint not null unique references {SCHEMA}.closes (close_id),
        reason text not null check (btrim(reason) <> ''),
        reopened_by text not null default current_user,
        reopened_at timestamptz not null default clock_timestamp()
    )
    """,
    f"comment on table {SCHEMA}.reopenings is 'Reopenings of closes (bankperf period reopen), with the reason.'",
    *(_frozen_ddl(table, columns) for table, (_, columns, _) in FROZEN.items()),
    *(f"create index if not exists {table}_close on {SCHEMA}.{table} (close_id, subject_type, subject_id)"
      for table in FROZEN),
    f"""
    create or replace function {SCHEMA}.refuse_change() returns trigger language plpgsql as $$
    begin
        raise exception '{SCHEMA}.% is append-only: closed results are never changed (reopen the period '
            'with a reason and close it again: a new version)', tg_table_name;
    end $$
    """,
    # a close: who and when from the server, the next version, and only when the period is not closed
    f"""
    create or replace function {SCHEMA}.guard_close() returns trigger language plpgsql as $$
    declare
        latest bigint;
    begin
        perform pg_advisory_xact_lock({LOCK_KEY});
        select close_id into latest from {SCHEMA}.closes where period = new.period order by version desc limit 1;
        if latest is not null and not exists (select 1 from {SCHEMA}.reopenings where close_id = latest) then
            raise exception 'period % is closed (close %): reopen it with a reason first', new.period, latest;
        end if;
        new.version := coalesce((select max(version) from {SCHEMA}.closes where period = new.period), 0) + 1;
        new.closed_by := current_user;
        new.closed_at := clock_timestamp();
        return new;
    end $$
    """,
    f"""
    create or replace function {SCHEMA}.guard_reopening() returns trigger language plpgsql as $$
    begin
        perform pg_advisory_xact_lock({LOCK_KEY});
        if new.close_id is distinct from (
            select latest.close_id from {SCHEMA}.closes as latest
            where latest.period = (select closes.period from {SCHEMA}.closes where closes.close_id = new.close_id)
            order by latest.version desc limit 1
        ) then
            raise exception 'close % is not the latest close of its period: only that one can be reopened',
                new.close_id;
        end if;
        new.reopened_by := current_user;
        new.reopened_at := clock_timestamp();
        return new;
    end $$
    """,
    # a frozen line belongs to a close made in the same transaction: nothing is added to a close later
    f"""
    create or replace function {SCHEMA}.guard_frozen_line() returns trigger language plpgsql as $$
    begin
        if not exists (
            select 1 from {SCHEMA}.closes
            where close_id = new.close_id and xmin::text = (txid_current() % 4294967296)::text
        ) then
            raise exception 'close % is complete: closed results are written only by their own close',
                new.close_id;
        end if;
        return new;
    end $$
    """,
    f"""
    create or replace trigger closes_guard before insert on {SCHEMA}.closes
    for each row execute function {SCHEMA}.guard_close()
    """,
    f"""
    create or replace trigger reopenings_guard before insert on {SCHEMA}.reopenings
    for each row execute function {SCHEMA}.guard_reopening()
    """,
]
for _table in ("closes", "reopenings", *FROZEN):
    DDL.append(f"create or replace trigger {_table}_append_only before update or delete on {SCHEMA}.{_table} "
               f"for each row execute function {SCHEMA}.refuse_change()")
    DDL.append(f"create or replace trigger {_table}_no_truncate before truncate on {SCHEMA}.{_table} "
               f"for each statement execute function {SCHEMA}.refuse_change()")
for _table in FROZEN:
    DDL.append(f"create or replace trigger {_table}_own_close before insert on {SCHEMA}.{_table} "
               f"for each row execute function {SCHEMA}.guard_frozen_line()")

TABLES = ("closes", "reopenings", *FROZEN)
WRITERS = ("office",)  # the performance office closes and reopens (also through the portal)


def _role_exists(conn: psycopg.Connection, role: str) -> bool:
    return conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone() is not None


def ensure_tables(conn: psycopg.Connection) -> None:
    """Create the store and its guards (idempotent), grant the office SELECT and INSERT, nobody more;
    the service role that builds the marts reads it (the published views of closed periods)."""
    if conn.execute("select to_regnamespace(%s) is not null", (SCHEMA,)).fetchone()[0] and not conn.execute(
        "select has_schema_privilege(%s, 'create')", (SCHEMA,)
    ).fetchone()[0]:
        return  # a user role: the store is there, it may only use it
    for statement in DDL:
        conn.execute(statement)
    tables = sql.SQL(", ").join(sql.Identifier(SCHEMA, table) for table in TABLES)
    conn.execute(sql.SQL("revoke update, delete, truncate on {} from public").format(tables))
    for role in WRITERS:
        if _role_exists(conn, role):
            conn.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(SCHEMA), sql.Identifier(role)))
            conn.execute(sql.SQL("grant select, insert on {} to {}").format(tables, sql.Identifier(role)))
            conn.execute(sql.SQL("revoke update, delete, truncate on {} from {}").format(tables, sql.Identifier(role)))
    if _role_exists(conn, "bankperf_transform"):
        conn.execute(sql.SQL("grant usage on schema {} to bankperf_transform").format(sql.Identifier(SCHEMA)))
        conn.execute(sql.SQL("grant select on {} to bankperf_transform").format(tables))
