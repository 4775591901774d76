"""The appraisal cycle for the performance office (issue 15): close and reopen periods, the
differences since a close, grades to confirm or override, 360-degree rating entry, the pay export.

Everything runs as the logged-in user: closes through :mod:`bankperf.appraisal.cycle` (the same
code as ``bankperf period``), decisions and ratings through the management-input import with its
validation and history (``grade_decision``, ``rating``), reads from the published views. The
database decides who may write: only ``office`` may insert into the results store and the inputs.
Head office sees the pages read-only.
"""

from __future__ import annotations

import csv
import io

import psycopg
from flask import Flask, Response, abort, g, render_template, request
from psycopg.rows import dict_row

from bankperf.appraisal import cycle, periods
from bankperf.manage.appraisal_rules import grades
from bankperf.manage.catalog import kind as get_kind

WRITE_ROLES = ("office",)
READ_ROLES = ("office", "head_office")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RATER_TYPES = ("SUPERIOR", "PEER", "SUBORDINATE", "CUSTOMER", "SELF")
RATING_LINES = 6  # item lines on the rating form (a rater's whole sheet: blank lines are left out)


def _require(roles: tuple[str, ...]) -> None:
    if g.identity["user_role"] not in roles:
        abort(403)


def _rows(conn: psycopg.Connection, statement: str, params: tuple = ()) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(statement, params).fetchall()


def _csv(kind_name: str, rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=get_kind(kind_name).column_names, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _closes_page(result: dict | None = None, status: int = 200):
    from portal.app import user_connection

    with user_connection() as conn:
        closes = _rows(conn, "select closes.close_id, closes.period, closes.close_version, closes.biz_date, "
                             "closes.close_status, closes.closed_by, closes.closed_at, closes.note, "
                             "closes.reopened_by, "
                             "closes.reopened_at, closes.reopen_reason, closes.scheme_version "
                             "from published.mart_appraisal_closes as closes order by closes.period desc, "
                             "closes.close_version desc limit 200")
    return render_template("appraisal.html", closes=closes, result=result), status


def _import(kind_name: str, rows: list[dict[str, str]], reason: str) -> dict:
    from portal.admin import _import_file  # the admin upload's validation, error table and history

    return {"kind": kind_name, **_import_file(kind_name, f"{kind_name}_entry.csv", _csv(kind_name, rows), reason)}


def _grade_rows(conn: psycopg.Connection, period: periods.Period) -> list[dict]:
    """The period's results in force on its last day, or on the last published day while it runs
    (closed: the store; open: live). The day is a literal, so only that day's scorecards are computed."""
    through = conn.execute("select max(last_published_date) from published.publication_status").fetchone()[0]
    if through is None or through < period.start:
        return []
    return _rows(conn, """
        select result.subject_type, result.subject_id, result.subject_name, result.parent_org_id, result.role_code,
            result.total_score, result.rank_in_institution, result.peers_in_institution, result.grade_basis,
            result.computed_grade, result.grade, result.grade_status, result.grade_decision_reason,
            result.result_status, result.close_version
        from published.mart_appraisal_result as result
        where result.biz_date = %s and result.period_type = %s and result.period = %s and result.is_in_force
        order by result.role_code, result.parent_org_id, result.rank_in_institution, result.subject_id
        limit 1000""", (min(period.end, through), period.period_type, period.code))


def register(app: Flask) -> None:
    from portal.app import user_connection

    @app.get("/appraisal")
    def appraisal_home():
        _require(READ_ROLES)
        return _closes_page()

    @app.post("/appraisal/close")
    def appraisal_close():
        _require(WRITE_ROLES)
        try:
            with user_connection() as conn:
                done = cycle.close(conn, request.form.get("period", ""), request.form.get("note", "").strip() or None)
            message = (f"{done.period}: close {done.close_id}, version {done.version}, {done.results} results, "
                       f"{done.lines} lines, {done.indicator_values} indicator values ({done.closed_by})")
            return _closes_page({"message": message})
        except (cycle.CycleError, ValueError, psycopg.Error) as exc:
            return _closes_page({"error": _message(exc)}, 400)

    @app.post("/appraisal/reopen")
    def appraisal_reopen():
        _require(WRITE_ROLES)
        try:
            with user_connection() as conn:
                message = cycle.reopen(conn, request.form.get("period", ""), request.form.get("reason", "").strip())
            return _closes_page({"message": message})
        except (cycle.CycleError, ValueError, psycopg.Error) as exc:
            return _closes_page({"error": _message(exc)}, 400)

    @app.get("/appraisal/differences/<period_code>")
    def appraisal_differences(period_code: str):
        _require(READ_ROLES)
        try:
            with user_connection() as conn:
                rows = cycle.differences(conn, period_code)
        except (cycle.CycleError, ValueError) as exc:
            return render_template("message.html", message=str(exc)), 400
        return render_template("appraisal_differences.html", period=period_code, columns=cycle.DIFF_COLUMNS,
                               rows=rows)

    @app.get("/appraisal/pay/<period_code>")
    def appraisal_pay(period_code: str):
        _require(READ_ROLES)
        import tempfile
        from pathlib import Path

        version = request.args.get("version", type=int)
        try:
            with user_connection() as conn:
                rows = cycle.pay_rows(conn, period_code, version)
        except (cycle.CycleError, ValueError) as exc:
            return render_template("message.html", message=str(exc)), 400
        with tempfile.TemporaryDirectory() as folder:
            content = cycle.write_pay_export(rows, Path(folder) / "pay.xlsx").read_bytes()
        name = f"pay_{periods.parse(period_code).code}_v{rows[0][1]}.xlsx"
        return Response(content, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={name}"})

    @app.route("/appraisal/grades", methods=["GET", "POST"])
    def appraisal_grades():
        _require(READ_ROLES)
        result, status = None, 200
        if request.method == "POST":
            _require(WRITE_ROLES)
            form = request.form
            decision = {name: form.get(name, "").strip() for name in
                        ("period", "subject_type", "subject_id", "decision", "grade", "decision_reason")}
            result = _import("grade_decision", [decision], decision["decision_reason"] or "grade decision")
            status = 200 if "message" in result else 400
        try:
            period = periods.parse(request.values.get("period", ""))
        except ValueError:
            period = None
        rows = []
        if period is not None:
            with user_connection() as conn:
                rows = _grade_rows(conn, period)
        return render_template("appraisal_grades.html", period=period, rows=rows, grades=grades(),
                               result=result), status

    @app.route("/appraisal/ratings", methods=["GET", "POST"])
    def appraisal_ratings():
        _require(READ_ROLES)
        result, status = None, 200
        if request.method == "POST":
            _require(WRITE_ROLES)
            form = request.form
            sheet = {name: form.get(name, "").strip() for name in ("period", "emp_id", "rater_type", "rater_id")}
            lines = [{**sheet, "component": form.get(f"component_{n}", ""),
                      "item_code": form.get(f"item_{n}", "").strip(),
                      "score": form.get(f"score_{n}", "").strip(), "note": form.get(f"note_{n}", "").strip()}
                     for n in range(1, RATING_LINES + 1)]
            lines = [line for line in lines if line["item_code"] or line["score"]]
            result = _import("rating", lines, form.get("reason", "").strip() or "rating entered in the portal")
            status = 200 if "message" in result else 400
        with user_connection() as conn:
            missing = _rows(conn, "select missing.period, missing.emp_id, missing.rater_type, missing.rater_id "
                                  "from published.rpt_missing_raters as missing "
                                  "order by missing.period desc, missing.emp_id, missing.rater_type, missing.rater_id "
                                  "limit 500") if g.identity["user_role"] == "office" else []
        kept = request.form if request.method == "POST" and "message" not in (result or {}) else {}
        return render_template("appraisal_ratings.html", result=result, rater_types=RATER_TYPES,
                               lines=range(1, RATING_LINES + 1), missing=missing, form=kept), status


def _message(exc: Exception) -> str:
    if isinstance(exc, psycopg.Error):
        return exc.diag.message_primary or str(exc)
    return str(exc)
