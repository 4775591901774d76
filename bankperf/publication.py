"""Publication: which business dates BI may read, and why the others are held back.

A date's marts are *published* only when everything of the run that built it passed: the
loads and their control files, the raw quality gates, the dbt build and every blocking dbt test
(the GL reconciliation among them). dbt writes into ``marts`` as it builds, so ``marts`` may hold
a date that failed; BI reads the schema ``published`` instead, whose views show only published
dates, so the previous good state stays visible while a failed date is held back.

- ``audit.publication_log``: one row per run × business date: ``BUILDING`` from the moment its dbt
  build starts (so a rerun of a published date hides it while marts are rewritten; a killed run
  leaves it so), then ``PUBLISHED``, ``FAILED`` (the date's
  own checks failed, the reason names them and the lines/keys) or ``WITHHELD`` (the date is not
  at fault, but cannot publish: another date of the same build failed, or its predecessor is not
  published). The nightly job writes it: the Dagster asset ``publication`` on success, the job's
  failure hook otherwise (``orchestration/assets/publishing.py``).
- ``audit.current_publication``: the latest row per date. ``audit.published_through``: the last
  date D such that every logged date up to D is currently ``PUBLISHED`` — a failed rerun of a
  published date withdraws that date and the later ones (their rows were being rebuilt), while the
  days before it stay visible.
- No date publishes out of order: a window publishes only when the day before its first date is
  published, or when no earlier date was ever processed (the warehouse's first date).
- ``published.<mart>``: a view per marts model of the dbt manifest, regenerated after every run —
  models with ``biz_date``: rows up to ``published_through``; effective-dated ones
  (``valid_from``/``valid_to``): the versions that started by then, still open if they ended
  later; the rest (reference and current-state tables): as they are. Each is a security-barrier
  view showing the current user only the rows of its scope, customers' personal data masked where
  the role is not entitled, with the mart's column comments; SELECT granted to the roles the
  permission table names (:mod:`bankperf.access`).
  ``published.publication_status``: every logged date, its status and reason, whether it is
  visible, and the last published date.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from bankperf import access
from bankperf.access import setup as access_setup
from bankperf.messages import first_line

PUBLISHED, FAILED, WITHHELD, BUILDING = "PUBLISHED", "FAILED", "WITHHELD", "BUILDING"
SCHEMA = "published"
STATUS_VIEW = "publication_status"
LOCK_KEY = 7_405_890_121  # pg_advisory_xact_lock key: "bankperf publication" (one writer at a time)
REASON_LIMIT = 8000  # characters of reason kept per run × date (the run's events hold everything)

DDL = [
    f"create schema if not exists {SCHEMA}",
    """
    create table if not exists audit.publication_log (
        publication_id bigint generated always as identity primary key,
        biz_date date not null,
        status text not null check (status in ('BUILDING', 'PUBLISHED', 'FAILED', 'WITHHELD')),
        run_id text not null,
        reason text,
        at timestamptz not null default clock_timestamp(),
        unique (run_id, biz_date)
    )
    """,
    """
    comment on table audit.publication_log is
    'One row per nightly run x business date: BUILDING while its dbt build runs (left so by a killed run), then '
    'PUBLISHED, FAILED (the reason names the failing checks and lines) or WITHHELD (not at fault, but another '
    'date of the build failed or its predecessor is not published).'
    """,
    """
    create or replace view audit.current_publication as
    select distinct on (biz_date) biz_date, status, run_id, reason, at
    from audit.publication_log
    order by biz_date, publication_id desc
    """,
    "comment on view audit.current_publication is 'The latest publication decision per business date.'",
    """
    create or replace view audit.published_through as
    with first_unpublished as (
        select min(biz_date) as biz_date from audit.current_publication where status <> 'PUBLISHED'
    )
    select max(current_publication.biz_date) as published_through
    from audit.current_publication
    cross join first_unpublished
    where
        current_publication.status = 'PUBLISHED'
        and (first_unpublished.biz_date is null or current_publication.biz_date < first_unpublished.biz_date)
    """,
    """
    comment on view audit.published_through is
    'The last business date BI may read: every logged date up to it is currently PUBLISHED (null: none yet).'
    """,
    f"""
    create or replace view {SCHEMA}.{STATUS_VIEW} as
    select
        current_publication.biz_date,
        current_publication.status,
        coalesce(current_publication.biz_date <= published_through.published_through, false) as is_visible,
        published_through.published_through as last_published_date,
        current_publication.reason,
        current_publication.run_id,
        current_publication.at
    from audit.current_publication
    cross join audit.published_through
    order by current_publication.biz_date desc
    """,
    f"""
    comment on view {SCHEMA}.{STATUS_VIEW} is
    'Which business dates the published views show (is_visible, up to last_published_date) and, for the '
    'dates held back, whether they FAILED or were WITHHELD and why.'
    """,
]


def ensure_tables(conn: psycopg.Connection) -> None:
    """Create the log, its views and the ``published`` schema (idempotent; serialized by the lock).
    A service login (the orchestrator writes the log, owns none of it) only checks they are there:
    ``bankperf db start``/``grant`` create them."""
    from bankperf.service_logins import set_up_for_service

    if set_up_for_service(conn, ["audit.publication_log", "audit.current_publication", "audit.published_through",
                        f"{SCHEMA}.{STATUS_VIEW}"]):
        return
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        for statement in DDL:
            conn.execute(statement)


def log_exists(conn: psycopg.Connection) -> bool:
    """Whether a run has created the publication log here (the sensor reads it, never creates it)."""
    return conn.execute("select to_regclass('audit.published_through') is not null").fetchone()[0]


def published_through(conn: psycopg.Connection) -> dt.date | None:
    """The last date the published views show (None: nothing published yet)."""
    return conn.execute("select published_through from audit.published_through").fetchone()[0]


def current_status(conn: psycopg.Connection, biz_date: dt.date) -> tuple[str, str | None, str] | None:
    """(status, reason, run_id) of a date's latest decision, or None if no run decided on it."""
    row = conn.execute(
        "select status, reason, run_id from audit.current_publication where biz_date = %s", (biz_date,)
    ).fetchone()
    return None if row is None else (row[0], row[1], row[2])


def predecessor_problem(conn: psycopg.Connection, first: dt.date, inbox: Path | None = None) -> str | None:
    """Why a window starting at ``first`` may not be built and published now, or None when it may.

    It may when the day before is published (visible), or when no date before ``first`` was ever
    processed (``first`` is the warehouse's first date). Reads only: on a database where no run
    has created the log yet, nothing was processed, so any first date may run."""
    if not log_exists(conn):
        return None
    previous = first - dt.timedelta(days=1)
    through = published_through(conn)
    if through is not None and previous <= through:
        return None
    (earlier,) = conn.execute(
        "select exists (select 1 from audit.publication_log where biz_date < %s)", (first,)
    ).fetchone()
    if not earlier:
        return None
    state = current_status(conn, previous)
    if state is None:
        ready = (Path(inbox) if inbox else Path("<inbox>")) / f"{previous:%Y%m%d}" / "READY"
        why = f"no run has processed it yet (is its delivery, {ready}, missing?)"
    else:
        status, reason, run_id = state
        why = f"it is {status} (run {run_id}: {first_line(reason, 'no reason recorded')})"
        if status == PUBLISHED:
            why = f"an earlier date is not published (the published state ends at {through})"
    return (
        f"{first:%Y-%m-%d} is not published before its predecessor {previous:%Y-%m-%d}: {why}. "
        f"Nothing is published out of order: deliver or correct {previous:%Y-%m-%d}, then run "
        f"{previous:%Y-%m-%d} .. {first:%Y-%m-%d} together (the sensor does so when its READY appears)."
    )


def _clip(text: str) -> str:
    return text if len(text) <= REASON_LIMIT else text[: REASON_LIMIT - 40] + "\n... (cut; see the run's events)"


@dataclass(frozen=True)
class Decision:
    biz_date: dt.date
    status: str
    reason: str | None = None


def record(conn: psycopg.Connection, run_id: str, decisions: Iterable[Decision]) -> list[dt.date]:
    """Write the run's decisions. A date the run marked BUILDING takes the new status and reason; one it
    decided already keeps its status and gathers the new reason lines. Returns the dates this call
    decided for the first time (BUILDING aside)."""
    new_dates = []
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        for decision in decisions:
            existing = conn.execute(
                "select status, reason from audit.publication_log where run_id = %s and biz_date = %s",
                (run_id, decision.biz_date),
            ).fetchone()
            reason = _clip(decision.reason) if decision.reason else None
            if existing is None:
                conn.execute(
                    "insert into audit.publication_log (biz_date, status, run_id, reason) values (%s, %s, %s, %s)",
                    (decision.biz_date, decision.status, run_id, reason),
                )
            elif existing[0] == BUILDING:
                conn.execute(
                    "update audit.publication_log set status = %s, reason = %s, at = clock_timestamp() "
                    "where run_id = %s and biz_date = %s",
                    (decision.status, reason, run_id, decision.biz_date),
                )
            if existing is None or existing[0] == BUILDING:
                if decision.status != BUILDING:
                    new_dates.append(decision.biz_date)
                continue
            lines = (existing[1] or "").splitlines()
            added = [line for line in (decision.reason or "").splitlines() if line not in lines]
            if added:
                conn.execute(
                    "update audit.publication_log set reason = %s, at = clock_timestamp() "
                    "where run_id = %s and biz_date = %s",
                    (_clip("\n".join(lines + added)), run_id, decision.biz_date),
                )
    return new_dates


# ---------------------------------------------------------------------------------------------
# What a failed date's reason names: loads that did not succeed and GL lines that break


def load_problems(conn: psycopg.Connection, biz_date: dt.date, feed_codes: Sequence[str]) -> list[str]:
    """The feeds of a date whose current load is not LOADED (or that were never loaded)."""
    if conn.execute("select to_regclass('audit.current_loads')").fetchone()[0] is None:
        return [f"{biz_date:%Y-%m-%d}: nothing loaded"]
    rows = dict(
        conn.execute(
            "select feed, status || coalesce(': ' || error, '') from audit.current_loads where biz_date = %s",
            (biz_date,),
        ).fetchall()
    )
    problems = []
    for code in feed_codes:
        state = rows.get(code)
        if state is None:
            problems.append(f"{code} {biz_date:%Y-%m-%d} not loaded")
        elif not state.startswith("LOADED"):
            problems.append(f"{code} {biz_date:%Y-%m-%d} {state.splitlines()[0]}")
    return problems


def gl_breaks(conn: psycopg.Connection, biz_date: dt.date) -> list[str]:
    """The GL reconciliation lines of a date that do not tie, one text each."""
    if conn.execute("select to_regclass('marts.rpt_gl_reconciliation')").fetchone()[0] is None:
        return []
    rows = conn.execute(
        "select org_id, subject_code, currency, detail_balance, gl_balance, difference, status "
        "from marts.rpt_gl_reconciliation where biz_date = %s and status <> 'OK' "
        "order by org_id, subject_code, currency",
        (biz_date,),
    ).fetchall()
    return [
        f"GL line {org}/{subject}/{currency} on {biz_date:%Y-%m-%d}: {status}, detail {detail} vs GL "
        f"{'-' if gl is None else gl}, difference {difference}"
        for org, subject, currency, detail, gl, difference, status in rows
    ]


# ---------------------------------------------------------------------------------------------
# The published views


@dataclass(frozen=True)
class Mart:
    name: str  # the relation's name in schema marts (dbt alias)
    schema: str
    personal_columns: frozenset[str] = frozenset()  # customers' personal data (dbt column meta personal_data)


def _personal_columns(node: dict) -> frozenset[str]:
    def meta(column: dict) -> dict:
        return {**(column.get("meta") or {}), **(column.get("config", {}).get("meta") or {})}

    return frozenset(name for name, column in node.get("columns", {}).items() if meta(column).get("personal_data"))


def marts_of(manifest_path: Path) -> list[Mart]:
    """Every built-as-a-relation dbt model of schema ``marts`` in the manifest."""
    manifest = json.loads(Path(manifest_path).read_text())
    marts = {
        Mart(node["alias"], node["schema"], _personal_columns(node))
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["schema"] == "marts"
        and node["config"]["materialized"] != "ephemeral"
    }
    return sorted(marts, key=lambda mart: mart.name)


def view_query(mart: Mart, columns: Sequence[str]) -> sql.Composed:
    """The published view's query of one mart, given its columns."""
    source = sql.Identifier(mart.schema, mart.name)
    through = sql.SQL("(select published_through from audit.published_through)")
    if "biz_date" in columns:
        return sql.SQL("select * from {} where biz_date <= {}").format(source, through)
    if "valid_from" in columns and "valid_to" in columns:
        selected = []
        for column in columns:
            name = sql.Identifier(column)
            if column == "valid_to":  # a version that ends after the published state is still open there
                open_there = "case when valid_to >= {t} then null else valid_to end as valid_to"
                selected.append(sql.SQL(open_there).format(t=through))
            elif column == "is_current":
                selected.append(sql.SQL("(valid_to is null or valid_to >= {t}) as is_current").format(t=through))
            else:
                selected.append(name)
        return sql.SQL("select {} from {} where valid_from <= {}").format(sql.SQL(", ").join(selected), source, through)
    return sql.SQL("select * from {}").format(source)


def refresh_views(conn: psycopg.Connection, marts: Sequence[Mart]) -> list[str]:
    """(Re)create ``published.<mart>`` for every mart that exists, drop views of marts that are gone.

    Runs in one transaction: BI sees the old views or the new ones. Returns the view names."""
    created = []
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        existing = {
            name
            for (name,) in conn.execute(
                "select table_name from information_schema.views where table_schema = %s and table_name <> %s",
                (SCHEMA, STATUS_VIEW),
            )
        }
        for mart in marts:
            columns = [
                name
                for (name,) in conn.execute(
                    "select column_name from information_schema.columns where table_schema = %s and table_name = %s "
                    "order by ordinal_position",
                    (mart.schema, mart.name),
                )
            ]
            if not columns:  # not built in this database (yet)
                continue
            view = sql.Identifier(SCHEMA, mart.name)
            query = access.scoped_view(
                view_query(mart, columns), columns, access.permission_table().views.get(mart.name),
                sorted(mart.personal_columns), f"{mart.schema}.{mart.name}",
            )
            conn.execute(sql.SQL("drop view if exists {}").format(view))
            conn.execute(sql.SQL("create view {} with (security_barrier) as {}").format(view, query))
            _copy_column_comments(conn, mart)
            conn.execute(
                sql.SQL("comment on view {} is {}").format(
                    view,
                    sql.Literal(
                        f"{mart.schema}.{mart.name} as published: only business dates every gate passed for "
                        "(see published.publication_status)."
                    ),
                )
            )
            created.append(mart.name)
        for stale in sorted(existing - set(created) - access_setup.MANAGED_VIEWS):
            conn.execute(sql.SQL("drop view if exists {}").format(sql.Identifier(SCHEMA, stale)))
        access_setup.apply_view_grants(conn, [*created, STATUS_VIEW])
    return created


def _copy_column_comments(conn: psycopg.Connection, mart: Mart) -> None:
    """The mart's column comments (dbt docs, persisted) on the published view's columns, for BI tools."""
    comments = conn.execute(
        "select attribute.attname, description.description from pg_attribute as attribute "
        "inner join pg_description as description "
        "on description.objoid = attribute.attrelid and description.objsubid = attribute.attnum "
        "where attribute.attrelid = %s::regclass and attribute.attnum > 0 and not attribute.attisdropped",
        (f'"{mart.schema}"."{mart.name}"',),
    ).fetchall()
    for column, comment in comments:
        conn.execute(sql.SQL("comment on column {} is {}").format(
            sql.Identifier(SCHEMA, mart.name, column), sql.Literal(comment)
        ))


def status_lines(conn: psycopg.Connection, limit: int = 10) -> list[str]:
    """Human lines: the last published date and the dates held back after it (for the summary)."""
    through = published_through(conn)
    lines = [f"Published through {through}" if through else "Published: no date yet"]
    held = conn.execute(
        f"select biz_date, status, reason from {SCHEMA}.{STATUS_VIEW} where not is_visible order by biz_date limit %s",
        (limit,),
    ).fetchall()
    for biz_date, status, reason in held:
        lines.append(f"  {biz_date} {status}: {first_line(reason)}")
    return lines


# ---------------------------------------------------------------------------------------------
# A failed step: which of the run's dates are to blame


def _mentions(text: str, biz_date: dt.date) -> bool:
    return f"{biz_date:%Y-%m-%d}" in text or f"{biz_date:%Y%m%d}" in text


def decisions_for_failure(
    conn: psycopg.Connection,
    dates: Sequence[dt.date],
    step: str,
    message: str,
    checks: Sequence[str],
    status_hint: str | None,
    *,
    build_failed: bool,
) -> list[Decision]:
    """The decisions of a run whose step failed: FAILED for the dates the failure names (or all of
    them, when it names none), WITHHELD for the others, each reason naming the step and what broke.

    ``checks``: one line per failed blocking check (a line naming a date is that date's own);
    ``status_hint``: WITHHELD when the step refused to build rather than failed; ``build_failed``:
    the dbt build failed, so each date's reason also lists its GL lines that break.
    """
    header = f"step {step} failed: {first_line(message)}"
    if status_hint == WITHHELD:
        return [Decision(day, WITHHELD, header) for day in dates]
    own: dict[dt.date, list[str]] = {day: [] for day in dates}
    if build_failed:
        for day in dates:
            own[day] += gl_breaks(conn, day)
    general = []
    for line in checks:  # (the message's own lines may quote the whole window, e.g. dbt's --vars)
        named = [day for day in dates if _mentions(line, day)]
        for day in named:
            own[day].append(line.strip())
        if not named:
            general.append(line.rstrip())
    faulty = [day for day in dates if own[day] or _mentions(message.splitlines()[0] if message else "", day)]
    decisions = []
    for day in dates:
        if not faulty or day in faulty:
            decisions.append(Decision(day, FAILED, "\n".join([header, *own[day], *general])))
        else:
            blamed = ", ".join(f"{other:%Y-%m-%d}" for other in faulty)
            decisions.append(Decision(day, WITHHELD, f"withheld: the same run failed on {blamed}\n{header}"))
    return decisions
