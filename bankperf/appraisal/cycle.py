"""``bankperf period close|reopen|list|diff|export``: the performance office's quarter and year.

A close takes the period's results as they stand on its last day — from the published views, so
the office closes exactly what users see, and the portal closes through the office login's own
connection — into the store (:mod:`bankperf.appraisal.store`) in one transaction. The period's
last day must be published. Afterwards the published results of the period
(``published.mart_appraisal_result``) come from the store; restatements show as differences
(``published.rpt_appraisal_differences``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import psycopg
from openpyxl import Workbook
from psycopg import sql
from psycopg.types.json import Jsonb

from bankperf.appraisal import periods, store, versions
from bankperf.xlsx import append_row


class CycleError(ValueError):
    """A close, reopening or export that cannot be done, with what to do instead."""


@dataclass(frozen=True)
class Close:
    close_id: int
    period: str
    version: int
    biz_date: dt.date
    closed_by: str
    results: int
    lines: int
    indicator_values: int


def _published_through(conn: psycopg.Connection) -> dt.date | None:
    row = conn.execute("select max(last_published_date) from published.publication_status").fetchone()
    return row[0] if row else None


def state(conn: psycopg.Connection, period: str) -> tuple[int, int] | None:
    """(close_id, version) of the period's close in force, or None when the period is open (read from the
    published close log, so every reader of it gets the same answer; the store's trigger decides at a close)."""
    return conn.execute(
        "select close_id, close_version from published.mart_appraisal_closes where period = %s and is_in_force",
        (period,),
    ).fetchone()


def close(conn: psycopg.Connection, code: str, note: str | None = None) -> Close:
    """Close a period: freeze its results, lines and indicator values with the versions used."""
    period = periods.parse(code)
    through = _published_through(conn)
    if through is None or through < period.end:
        raise CycleError(
            f"{period.code} ends on {period.end:%Y-%m-%d}, but the published results end "
            f"{'nowhere yet' if through is None else f'on {through:%Y-%m-%d}'}: a period is closed once its last "
            "day is built and published"
        )
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (store.LOCK_KEY,))
        current = state(conn, period.code)
        if current is not None:
            raise CycleError(f"{period.code} is already closed (close {current[0]}, version {current[1]}): "
                             "reopen it with a reason first (bankperf period reopen)")
        in_force = versions.inputs_in_force(conn)
        scheme_hash, scheme_parts = versions.scheme_version(in_force)
        close_id, version, closed_by = conn.execute(
            "insert into appraisal.closes (period, period_type, version, biz_date, note, plan_batch_ids, "
            "score_batch_ids, input_batches, scheme_version, scheme_parts) "
            "values (%s, %s, 0, %s, %s, %s, %s, %s, %s, %s) "
            "returning close_id, version, closed_by",
            (period.code, period.period_type, period.end, note, in_force.get("plan", []),
             sorted(set(in_force.get("appraisal_score", [])) | set(in_force.get("rating", []))),
             Jsonb(in_force), scheme_hash, Jsonb(scheme_parts)),
        ).fetchone()
        counts = {}
        for table, (view, columns, by_period_type) in store.FROZEN.items():
            names = sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
            where = sql.SQL("biz_date = %s and period_type = %s" if by_period_type else "biz_date = %s")
            params = (close_id, period.end, period.period_type) if by_period_type else (close_id, period.end)
            counts[table] = conn.execute(
                sql.SQL("insert into appraisal.{table} (close_id, {names}) select %s, {names} "
                        "from published.{view} where {where}").format(
                    table=sql.Identifier(table), names=names, view=sql.Identifier(view), where=where),
                params,
            ).rowcount
        if counts["closed_results"] == 0:
            raise CycleError(f"{period.code}: no scorecard results on {period.end:%Y-%m-%d}; nothing to close")
    return Close(close_id, period.code, version, period.end, closed_by, counts["closed_results"],
                 counts["closed_scorecard_lines"], counts["closed_indicator_values"])


def reopen(conn: psycopg.Connection, code: str, reason: str) -> str:
    period = periods.parse(code)
    if not reason or not reason.strip():
        raise CycleError("a reopening needs a reason (--reason): it is kept with the close's history")
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (store.LOCK_KEY,))
        current = state(conn, period.code)
        if current is None:
            raise CycleError(f"{period.code} is not closed: nothing to reopen")
        conn.execute("insert into appraisal.reopenings (close_id, reason) values (%s, %s)", (current[0], reason))
    return f"reopened {period.code} (close {current[0]}, version {current[1]}): {reason}"


LIST_COLUMNS = ["close_id", "period", "version", "biz_date", "closed_by", "closed_at", "status", "reopened_by",
                "reopened_at", "reopen_reason", "plan_batch_ids", "score_batch_ids", "scheme_version", "results"]


def list_closes(conn: psycopg.Connection, code: str | None = None) -> list[tuple]:
    """Every close (of one period, or all), newest first, with its reopening if any."""
    return conn.execute(
        "select closes.close_id, closes.period, closes.version, closes.biz_date, closes.closed_by, closes.closed_at, "
        "case when reopenings.close_id is not null then 'REOPENED' "
        "when closes.version < (select max(latest.version) from appraisal.closes as latest "
        "where latest.period = closes.period) then 'SUPERSEDED' else 'CLOSED' end, "
        "reopenings.reopened_by, reopenings.reopened_at, reopenings.reason, closes.plan_batch_ids, "
        "closes.score_batch_ids, left(closes.scheme_version, 12), "
        "(select count(*) from appraisal.closed_results as results where results.close_id = closes.close_id) "
        "from appraisal.closes as closes left join appraisal.reopenings as reopenings using (close_id) "
        "where %s::text is null or closes.period = %s::text order by closes.period, closes.version desc",
        (None if code is None else periods.parse(code).code,) * 2,
    ).fetchall()


DIFF_COLUMNS = ["period", "close_version", "line_type", "subject_type", "subject_id", "subject_name", "caliber",
                "item", "measure", "closed_value", "current_value", "difference"]


def differences(conn: psycopg.Connection, code: str) -> list[tuple]:
    """The period's lines whose current value differs from the close in force."""
    period = periods.parse(code)
    if state(conn, period.code) is None:
        raise CycleError(f"{period.code} is not closed: differences are counted from a close")
    return conn.execute(
        sql.SQL("select {} from published.rpt_appraisal_differences where biz_date = %s and period = %s "
                "order by line_type, subject_type, subject_id, caliber, item, measure").format(
            sql.SQL(", ").join(map(sql.Identifier, DIFF_COLUMNS))),
        (period.end, period.code),
    ).fetchall()


PAY_COLUMNS = [  # (column of published.mart_appraisal_result, heading)
    ("period", "考核期 period"), ("close_version", "版本 version"), ("subject_id", "员工号 employee"),
    ("subject_name", "姓名 name"), ("parent_org_id", "机构 institution"), ("role_code", "岗位 role"),
    ("performance_score", "业绩得分 performance"), ("ability_score", "能力得分 ability"),
    ("attitude_score", "态度得分 attitude"), ("performance_weight_pct", "业绩权重% weight"),
    ("ability_weight_pct", "能力权重% weight"), ("attitude_weight_pct", "态度权重% weight"),
    ("total_score", "总分 total"), ("grade", "等级 grade"), ("grade_status", "等级状态 grade status"),
    ("rank_in_bank", "全行排名 rank in bank"), ("peers_in_bank", "全行人数 peers"),
    ("rank_in_institution", "机构排名 rank in institution"), ("peers_in_institution", "机构人数 peers"),
]


def pay_rows(conn: psycopg.Connection, code: str, version: int | None = None) -> list[tuple]:
    """The closed results per employee of a period (the close in force, or a given version)."""
    period = periods.parse(code)
    current = state(conn, period.code)
    if version is None and current is None:
        raise CycleError(f"{period.code} is not closed: payroll is paid on closed results (bankperf period close)")
    chosen = version if version is not None else current[1]
    rows = conn.execute(
        sql.SQL("select {} from published.mart_appraisal_result where biz_date = %s and period_type = %s "
                "and period = %s and close_version = %s and subject_type = 'EMP' "
                "order by parent_org_id, subject_id").format(
            sql.SQL(", ").join(sql.Identifier(name) for name, _ in PAY_COLUMNS)),
        (period.end, period.period_type, period.code, chosen),
    ).fetchall()
    if not rows:
        raise CycleError(f"{period.code} has no closed version {chosen}")
    return rows


def write_pay_export(rows: list[tuple], path: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "pay"
    append_row(sheet, [heading for _, heading in PAY_COLUMNS])
    for row in rows:
        append_row(sheet, row)
    sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
