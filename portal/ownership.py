"""Ownership requests in the browser: submit, approve or reject with a reason, list with history.

The rules live in the database (``bankperf.manage.requests``): who may submit or decide, who
sees which request, maker ≠ checker, a decision being final. The portal checks a request's
shares with the ``relation_approval`` kind's own validation before saving it, so the office
is never asked to approve a set that could not be imported, and on approval imports it as the
approving office user in the same transaction as the decision.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

import psycopg
from flask import Flask, g, redirect, render_template, request
from psycopg.rows import dict_row

from bankperf.manage import files, store
from bankperf.manage.catalog import kind as get_kind
from bankperf.manage.validate import ValidationError, validate
from portal.admin import error_table

MAX_OWNERS = 5


def _share_rows(form) -> list[dict[str, str]]:
    lead = form.get("lead", "")
    rows = []
    for index in range(MAX_OWNERS):
        emp_id = form.get(f"emp_{index}", "").strip()
        share = form.get(f"share_{index}", "").strip()
        if emp_id or share:
            rows.append({"emp_id": emp_id, "share_pct": share, "is_lead": "1" if lead == str(index) else "0"})
    return rows


def _relation_rows(request_row: dict, shares: list[dict], approved_by: str) -> list[dict[str, str]]:
    """The request as rows of the relation_approval kind (text, as a file would hold them)."""
    return [{
        "acct_type": request_row["acct_type"], "acct_no": request_row["acct_no"],
        "sub_acct_no": request_row["sub_acct_no"] or "", "start_date": str(request_row["start_date"]),
        "end_date": "", "emp_id": share["emp_id"], "share_pct": str(share["share_pct"]),
        "is_lead": "1" if share["is_lead"] in (True, "1") else "0", "approved_by": approved_by, "action": "",
    } for share in shares]


def check_request(request_row: dict, shares: list[dict]) -> list[tuple[str, str, str]]:
    """Problems of a request by the relation_approval kind's rules (values, shares, lead, no virtual owner).

    Whether each employee exists is checked at approval, by the office's import: a manager may not
    read the employee list."""
    kind = get_kind("relation_approval")
    try:
        validate(kind, _relation_rows(request_row, shares, "pending"), "request")
    except ValidationError as exc:
        return error_table(exc.errors)
    return []


def approve(conn: psycopg.Connection, request_id: int, approver: str, reason: str) -> int:
    """Import the request as a relation approval and mark it approved, in one transaction: its batch."""
    kind = get_kind("relation_approval")
    with conn.transaction():
        with conn.cursor(row_factory=dict_row) as cur:
            request_row = cur.execute(
                "select * from workflow.ownership_requests where request_id = %s for update", (request_id,)
            ).fetchone()
            if request_row is None:
                raise LookupError(f"ownership request {request_id} not found")
            shares = cur.execute(
                "select emp_id, share_pct, is_lead from workflow.ownership_request_shares where request_id = %s"
                " order by share_pct desc, emp_id", (request_id,)).fetchall()
        if request_row["submitted_by"] == approver:  # the table's constraint says it too; say it first, clearly
            raise PermissionError("maker ≠ checker: the submitter of a request cannot approve it")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"ownership_request_{request_id}.csv"
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=kind.column_names)
                writer.writeheader()
                writer.writerows(_relation_rows(request_row, shares, approver))
            rows = validate(kind, files.read_rows(path, kind), path.name,
                            store.known_employees(conn), store.known_institutions(conn))
            batch_id = store.import_rows(conn, kind, rows, path, approver,
                                         f"ownership request {request_id} ({request_row['submitted_by']}): {reason}")
        conn.execute(
            "update workflow.ownership_requests set status = 'APPROVED', decision_reason = %s, batch_id = %s"
            " where request_id = %s", (reason, batch_id, request_id))
    return batch_id


def reject(conn: psycopg.Connection, request_id: int, reason: str) -> None:
    conn.execute("update workflow.ownership_requests set status = 'REJECTED', decision_reason = %s"
                 " where request_id = %s and status = 'PENDING'", (reason, request_id))


def _listing(conn: psycopg.Connection) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        requests_rows = cur.execute(
            "select * from workflow.ownership_requests order by request_id desc limit 300").fetchall()
        shares = cur.execute(
            "select request_id, emp_id, share_pct, is_lead from workflow.ownership_request_shares"
            " order by request_id, share_pct desc, emp_id").fetchall()
    by_request: dict[int, list[dict]] = {}
    for share in shares:
        by_request.setdefault(share["request_id"], []).append(share)
    for row in requests_rows:
        row["shares"] = by_request.get(row["request_id"], [])
    return requests_rows


def register(app: Flask) -> None:
    from portal.app import user_connection

    def page(message: str | None = None, errors: list | None = None, status: int = 200):
        with user_connection() as conn:
            listing = _listing(conn)
        return render_template("requests.html", requests=listing, message=message, errors=errors or [],
                               owners=range(MAX_OWNERS), form=request.form, today=dt.date.today()), status

    @app.get("/requests")
    def requests_page():
        return page()

    @app.post("/requests")
    def submit_request():
        form = request.form
        request_row = {"acct_type": form.get("acct_type", "").strip().upper(),
                       "acct_no": form.get("acct_no", "").strip(),
                       "sub_acct_no": form.get("sub_acct_no", "").strip(),
                       "start_date": form.get("start_date", "").strip()}
        reason = form.get("reason", "").strip()
        shares = _share_rows(form)
        with user_connection() as conn:
            errors = check_request(request_row, shares)
            if not reason:
                errors.append(("", "reason", "请填写原因 / a reason is required"))
            if errors:
                return page(errors=errors, status=400)
            try:
                with conn.transaction():
                    request_id = conn.execute(
                        "insert into workflow.ownership_requests (acct_type, acct_no, sub_acct_no, start_date, reason)"
                        " values (%s, %s, %s, %s, %s) returning request_id",
                        (request_row["acct_type"], request_row["acct_no"], request_row["sub_acct_no"],
                         request_row["start_date"], reason)).fetchone()[0]
                    for share in shares:
                        conn.execute("insert into workflow.ownership_request_shares values (%s, %s, %s, %s)",
                                     (request_id, share["emp_id"], share["share_pct"], share["is_lead"] == "1"))
            except psycopg.Error as exc:
                return page(errors=[("", "", exc.diag.message_primary or str(exc))], status=403)
        return redirect(f"/requests?submitted={request_id}")

    @app.post("/requests/<int:request_id>/<decision>")
    def decide_request(request_id: int, decision: str):
        reason = request.form.get("reason", "").strip()
        if decision not in ("approve", "reject"):
            return page(errors=[("", "", "unknown decision")], status=400)
        if not reason:
            return page(errors=[(str(request_id), "reason", "请填写审批意见 / a reason is required")], status=400)
        try:
            with user_connection() as conn:
                if decision == "approve":
                    batch_id = approve(conn, request_id, g.identity["login"], reason)
                    message = f"#{request_id} approved: relation_approval batch {batch_id}"
                else:
                    reject(conn, request_id, reason)
                    message = f"#{request_id} rejected"
        except PermissionError as exc:
            return page(errors=[(str(request_id), "", str(exc))], status=403)
        except ValidationError as exc:
            return page(errors=error_table(exc.errors), status=400)
        except (psycopg.Error, LookupError) as exc:
            detail = exc.diag.message_primary if isinstance(exc, psycopg.Error) else str(exc)
            return page(errors=[(str(request_id), "", detail or str(exc))], status=403)
        return page(message=message)
