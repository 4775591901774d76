"""Run status for the office: what is published, today's run, failing checks, exceptions, reconciliation.

Everything comes from the published views the office reads: ``published.publication_status``
(every date's status and the reason naming the failing step, checks, files and lines),
``published.rpt_gl_reconciliation`` (detail against GL per date) and
``published.rpt_data_exceptions`` (the rows each rule set aside and what was done with them, the
ownership exceptions among them), as the logged-in user.
"""

from __future__ import annotations

import datetime as dt

import psycopg
from flask import Flask, abort, g, render_template, request
from psycopg.rows import dict_row

STATUS_ROLES = ("office", "head_office", "auditor")


def _rows(conn: psycopg.Connection, statement: str, params: tuple = ()) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(statement, params).fetchall()


def register(app: Flask) -> None:
    from portal.app import user_connection

    @app.get("/status")
    def run_status():
        if g.identity["user_role"] not in STATUS_ROLES:
            abort(403)
        with user_connection() as conn:
            dates = _rows(conn, "select status.biz_date, status.status, status.is_visible, status.last_published_date,"
                                " status.reason, status.run_id, status.at from published.publication_status as status"
                                " order by status.biz_date desc limit 60")
            recon = {row["biz_date"]: row for row in _rows(conn, """
                select recon.biz_date, count(*) as line_count,
                    count(*) filter (where recon.status <> 'OK') as break_count,
                    coalesce(sum(abs(recon.difference)) filter (where recon.status <> 'OK'), 0) as break_amount
                from published.rpt_gl_reconciliation as recon
                where recon.biz_date >= current_date - 400
                group by recon.biz_date""")}
            exceptions = {row["biz_date"]: row for row in _rows(conn, """
                select exceptions.biz_date, count(*) as exception_count
                from published.rpt_data_exceptions as exceptions
                group by exceptions.biz_date""")}
            try:
                chosen = dt.date.fromisoformat(request.args.get("date", ""))
            except ValueError:
                chosen = dates[0]["biz_date"] if dates else None
            breaks = _rows(conn, "select recon.org_id, recon.subject_code, recon.currency, recon.detail_balance,"
                                 " recon.gl_balance, recon.difference, recon.status"
                                 " from published.rpt_gl_reconciliation as recon"
                                 " where recon.biz_date = %s and recon.status <> 'OK'"
                                 " order by abs(recon.difference) desc limit 200", (chosen,))
            exception_lines = _rows(conn, "select exceptions.feed, exceptions.rule_name, exceptions.record_key,"
                                          " exceptions.severity, exceptions.record, exceptions.action_taken"
                                          " from published.rpt_data_exceptions as exceptions"
                                          " where exceptions.biz_date = %s"
                                          " order by exceptions.feed, exceptions.rule_name, exceptions.record_key"
                                          " limit 500", (chosen,))
        latest_run = max(dates, key=lambda row: row["at"]) if dates else None
        return render_template("status.html", dates=dates, recon=recon, exceptions=exceptions, chosen=chosen,
                               breaks=breaks, exception_lines=exception_lines, latest_run=latest_run)
