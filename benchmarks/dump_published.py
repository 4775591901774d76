"""Dump every ``published.*`` view to a sorted CSV file, to prove a refactor changes no figure.

Build a bank, dump it, change the code, rebuild from scratch, dump again, then diff the two
folders (``diff -r before after``)::

    python -m benchmarks.dump_published --out var/published-before

Rows are sorted on their whole text so the order a view happens to return does not matter.
Columns that record when or by which run something happened (not what it says) are left out:
they differ between any two builds.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

import psycopg

from bankperf import settings

# When and by which run, not what: different in every build.
RUN_COLUMNS = {"run_id", "logged_at", "updated_at", "published_at", "created_at", "loaded_at",
               "started_at", "finished_at", "decided_at", "imported_at", "requested_at",
               "restated_at", "generated_at", "at"}


def dump(out: Path) -> int:
    """Write ``<out>/<view>.csv`` for every view in ``published``; returns the number written."""
    out.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(settings.db_settings().url) as conn:
        views = [row[0] for row in conn.execute(
            "select table_name from information_schema.views where table_schema = 'published'"
            " order by table_name")]
        for view in views:
            columns = [row[0] for row in conn.execute(
                "select column_name from information_schema.columns"
                " where table_schema = 'published' and table_name = %s order by ordinal_position",
                (view,)) if row[0] not in RUN_COLUMNS]
            column_list = ", ".join(f'"{column}"' for column in columns)
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            rows = conn.execute(f'select {column_list} from published."{view}"').fetchall()
            lines = []
            for row in rows:
                line = io.StringIO()
                csv.writer(line, lineterminator="").writerow(row)
                lines.append(line.getvalue())
            writer.writerow(columns)
            buffer.write("\n".join(sorted(lines)) + ("\n" if lines else ""))
            (out / f"{view}.csv").write_text(buffer.getvalue(), encoding="utf-8")
            print(f"{view}: {len(rows)} rows")
    return len(views)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the CSV files")
    args = parser.parse_args()
    print(f"{dump(args.out)} views written to {args.out}")


if __name__ == "__main__":
    main()
