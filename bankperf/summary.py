"""What ``make demo`` prints at the end: what was loaded and built, and where to look."""

from __future__ import annotations

import psycopg

from bankperf.settings import db_settings


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
    lines += [
        "Where to look:",
        "  marts.*            the published marts (any BI tool, or psql)",
        "  audit.load_log     every load attempt; audit.rejected_rows: rejected lines with reasons",
        "  make docs          dbt docs (lineage, every model and column): target/index.html",
        "  make dagster       the Dagster UI: asset graph, partitions, checks, schedule and sensor",
    ]
    return "\n".join(lines)
