"""Administration for the performance office: every management-input kind in the browser.

Upload (CSV or ``.xlsx``) with exactly the validation of ``bankperf manage import`` and its
row/column error table on screen (nothing is imported when any row is bad), the kind's ``.xlsx``
template, the inputs in force as a workbook, the history of each kind (who, when, why, file) and
plan entry of a single plan line. Imports run as the logged-in office user, so the batch
history records the login, and the database's grants decide who may import at all.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from pathlib import Path

import psycopg
from flask import Flask, Response, abort, g, render_template, request
from psycopg import sql
from psycopg.rows import dict_row

from bankperf.manage import commands, files, store
from bankperf.manage.catalog import kind as get_kind
from bankperf.manage.catalog import kinds
from bankperf.manage.validate import ValidationError
from portal import text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR_PATTERN = re.compile(r"^row (?P<row>\d+), column (?P<column>[a-z_]+): (?P<message>.*)$")
SET_PATTERN = re.compile(r"^(?P<set>set .*) \(rows (?P<rows>[\d, ]+)\): (?P<message>.*)$")
ADMIN_ROLES = ("office",)
READ_ROLES = ("office", "auditor")


def error_table(errors: list[str]) -> list[tuple[str, str, str]]:
    """(row, column, message) per problem, as the command line words them."""
    table = []
    for error in errors:
        if match := ERROR_PATTERN.match(error):
            table.append((match["row"], match["column"], match["message"]))
        elif match := SET_PATTERN.match(error):
            table.append((match["rows"], match["set"], match["message"]))
        else:
            table.append(("", "", error))
    return table


def import_upload(conn: psycopg.Connection, kind_name: str, path: Path, by: str, reason: str) -> str:
    """Validate and import a file as the connection's user: ``bankperf manage import``'s own code."""
    return commands.import_file(kind_name, path, by, reason, conn)


def _require(roles: tuple[str, ...]) -> None:
    if g.identity["user_role"] not in roles:
        abort(403)


def _history(conn: psycopg.Connection, kind_name: str) -> tuple[list[str], list[dict]]:
    kind = get_kind(kind_name)
    columns = ["batch_id", "row_no", *kind.column_names, "imported_by", "imported_at", "reason", "file_name"]
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(sql.SQL("select {} from control.{} order by batch_id desc, row_no limit 500").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(f"{kind.table}_history")))
        return columns, cur.fetchall()


def _batches(conn: psycopg.Connection) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute("select batches.batch_id, batches.kind, batches.file_name, batches.row_count, "
                    "batches.imported_by, batches.imported_at, batches.reason from control.import_batches as batches "
                    "order by batches.batch_id desc limit 50")
        return cur.fetchall()


def register(app: Flask) -> None:
    from portal.app import user_connection

    @app.get("/admin")
    def admin_home():
        _require(READ_ROLES)
        with user_connection() as conn:
            batches = _batches(conn)
        return render_template("admin.html", kinds=kinds(), batches=batches, result=None)

    @app.post("/admin/upload/<kind_name>")
    def admin_upload(kind_name: str):
        _require(ADMIN_ROLES)
        get_kind(kind_name)
        upload = request.files.get("file")
        reason = request.form.get("reason", "").strip()
        result: dict = {"kind": kind_name}
        if upload is None or not upload.filename:
            result["errors"] = [("", "file", "请选择文件 / choose a file")]
        elif not reason:
            result["errors"] = [("", "reason", "请填写原因 / a reason is required")]
        else:
            result.update(_import_file(kind_name, upload.filename, upload.read(), reason))
        with user_connection() as conn:
            batches = _batches(conn)
        status = 200 if "message" in result else 400
        return render_template("admin.html", kinds=kinds(), batches=batches, result=result), status

    @app.post("/admin/plan")
    def admin_plan():
        _require(ADMIN_ROLES)
        kind = get_kind("plan")
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(kind.column_names)
        writer.writerow([request.form.get(name, "").strip() for name in kind.column_names])
        reason = request.form.get("reason", "").strip() or "plan entered in the portal"
        result = {"kind": "plan", **_import_file("plan", "plan_entry.csv", out.getvalue().encode(), reason)}
        with user_connection() as conn:
            batches = _batches(conn)
        return render_template("admin.html", kinds=kinds(), batches=batches, result=result), (
            200 if "message" in result else 400)

    @app.get("/admin/template/<kind_name>")
    def admin_template(kind_name: str):
        kind = get_kind(kind_name)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{kind.name}.xlsx"
            files.write_template(path, kind)
            content = path.read_bytes()
        return Response(content, mimetype=XLSX,
                        headers={"Content-Disposition": f"attachment; filename={kind.name}_template.xlsx"})

    @app.get("/admin/export/<kind_name>")
    def admin_export(kind_name: str):
        _require(READ_ROLES)
        kind = get_kind(kind_name)
        with user_connection() as conn:
            rows = store.current_rows(conn, kind)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{kind.name}.xlsx"
            files.write_rows(path, kind, rows)
            content = path.read_bytes()
        return Response(content, mimetype=XLSX,
                        headers={"Content-Disposition": f"attachment; filename={kind.name}.xlsx"})

    @app.get("/admin/history/<kind_name>")
    def admin_history(kind_name: str):
        _require(READ_ROLES)
        kind = get_kind(kind_name)
        with user_connection() as conn:
            columns, rows = _history(conn, kind_name)
        return render_template("history.html", kind=kind, columns=columns, rows=rows,
                               shown=lambda value: text.shown(value, "text", "yuan"))


def _import_file(kind_name: str, filename: str, content: bytes, reason: str) -> dict:
    from portal.app import user_connection

    safe_name = re.sub(r"[^\w.\-]", "_", Path(filename).name) or "upload.csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / safe_name
        path.write_bytes(content)
        try:
            with user_connection() as conn:
                message = import_upload(conn, kind_name, path, g.identity["login"], reason)
        except ValidationError as exc:
            return {"errors": error_table(exc.errors)}
        except (files.FileFormatError, ValueError) as exc:
            return {"errors": [("", "", str(exc).replace(str(path), safe_name))]}
        except psycopg.Error as exc:
            return {"errors": [("", "", (exc.diag.message_primary or str(exc)))]}
    return {"message": message}
