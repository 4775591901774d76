"""``bankperf manage import|export|template KIND``: what the CLI calls."""

from __future__ import annotations

from pathlib import Path

import psycopg

from bankperf.manage import files, store
from bankperf.manage.catalog import kind as get_kind
from bankperf.manage.validate import validate
from bankperf.settings import db_settings


def import_file(kind_name: str, path: Path, by: str, reason: str, conn: psycopg.Connection | None = None) -> str:
    """Validate and import a file. ``conn``: the connection to import with (the portal passes one that did
    ``SET ROLE <office login>``); by default the configured database. The batch records the database
    login that imported it (``imported_login``, the current user); ``by`` is kept as a comment."""
    kind = get_kind(kind_name)
    if not by.strip() or not reason.strip():
        raise ValueError("--by and --reason are required: history records who changed what and why")
    raw_rows = files.read_rows(path, kind)
    if conn is None:
        with psycopg.connect(db_settings().url) as own:
            return import_file(kind_name, path, by, reason, own)
    store.ensure_tables(conn)
    rows = validate(kind, raw_rows, str(path), store.known_employees(conn), store.known_institutions(conn))
    batch_id = store.import_rows(conn, kind, rows, path, by, reason)
    pending = conn.execute(
        "select count(*) from control.restatement_log where batch_id = %s", (batch_id,)
    ).fetchone()[0]
    note = f"; {pending} set(s) reach into built dates and are queued for restatement" if pending else ""
    return f"imported {len(rows)} rows of {kind.name} as batch {batch_id}{note}"


def export_file(kind_name: str, path: Path) -> str:
    kind = get_kind(kind_name)
    with psycopg.connect(db_settings().url) as conn:
        rows = store.current_rows(conn, kind)
    files.write_rows(path, kind, rows)
    return f"wrote {len(rows)} current rows of {kind.name} to {path}"


def write_template(kind_name: str, path: Path) -> str:
    kind = get_kind(kind_name)
    files.write_template(path, kind)
    return f"wrote the {kind.name} template to {path}"
