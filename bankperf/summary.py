"""What ``make demo`` prints at the end: what was loaded and built, and where to look."""

from __future__ import annotations

import datetime as dt

import psycopg

from bankperf import publication
from bankperf.quality import exceptions
from bankperf.quality.validate import day_folder
from bankperf.reconciliation.report import report_dir
from bankperf.settings import db_settings


def _report_lines(dates: list[dt.date]) -> list[str]:
    """Whether every loaded date has its reconciliation report and its Data Docs."""
    if not dates:
        return []
    no_report = [day for day in dates if not (report_dir(day) / f"recon_{day:%Y%m%d}.html").is_file()]
    no_docs = [day for day in dates if not (day_folder(day) / "data_docs" / "index.html").is_file()]
    return [
        f"Reconciliation reports: {len(dates) - len(no_report)} of {len(dates)} dates in {report_dir(dates[0]).parent}"
        + (f" (missing: {', '.join(map(str, no_report))})" if no_report else ""),
        f"Data Docs: {len(dates) - len(no_docs)} of {len(dates)} dates in {day_folder(dates[0]).parent}"
        + (f" (missing: {', '.join(map(str, no_docs))})" if no_docs else ""),
    ]


def summary() -> str:
    db = db_settings()
    lines = [f"Database: {db.redacted_url}  (psql \"$(bankperf db url)\")"]
    with psycopg.connect(db.url) as conn:
        loads = conn.execute(
            "select min(biz_date), max(biz_date), count(distinct biz_date), "
            "count(*) filter (where status = 'LOADED'), count(*) filter (where status = 'FAILED'), "
            "coalesce(sum(rows_loaded), 0), coalesce(sum(rows_rejected), 0) from audit.current_loads"
        ).fetchone()
        first, last, days, loaded, failed, rows, rejected = loads
        state = "all green" if failed == 0 else f"{failed} FAILED (see audit.current_loads)"
        lines.append(
            f"Loaded: {days} business dates {first} .. {last}: {loaded} feed-dates LOADED, {state}; "
            f"{rows:,} rows loaded, {rejected:,} rejected (audit.rejected_rows)"
        )
        tables = conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema = 'marts' and table_type = 'BASE TABLE' order by 1"
        ).fetchall()
        for (name,) in tables:
            count = conn.execute(f"select count(*) from {name}").fetchone()[0]
            lines.append(f"  {name:<45} {count:>12,} rows")
        if conn.execute("select to_regclass('audit.publication_log')").fetchone()[0] is not None:
            lines += publication.status_lines(conn)
        lines += exceptions.summary_lines(conn)
        dates = [day for (day,) in conn.execute("select distinct biz_date from audit.current_loads order by 1")]
    lines += _report_lines(dates)
    lines += [
        "Where to look:",
        "  published.*        what BI reads: the marts of published dates only (published.publication_status)",
        "  marts.*            the marts as last built, failed dates included",
        "  var/recon/<D>/     the finance GL-reconciliation report of each date (.xlsx, .html)",
        "  var/quality/<D>/   the great-expectations Data Docs of each date (data_docs/index.html) and its"
        " exceptions (exceptions.html)",
        "  audit.load_log     every load attempt; audit.rejected_rows: rejected lines with reasons",
        "  make docs          dbt docs (lineage, every model and column): target/index.html",
        "  make dagster       the Dagster UI: asset graph, partitions, checks, schedule and sensor",
    ]
    return "\n".join(lines)
