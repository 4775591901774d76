"""What a night costs: the shared machinery of ``make bench-nightly`` and ``make bench-growth``.

A benchmark generates a synthetic bank (cached under ``var/bench/inbox-<accounts>-<start>-<days>``,
so a rerun does not regenerate it), creates a scratch database ``bankperf_bench`` on the configured
server (dropped first when it exists, kept afterwards so its tables can be inspected or queried with
``make bench-marts``: ``BANKPERF_DB_URL=<printed url>``) and a Dagster home of its own, then runs
``bankperf run`` — the nightly job end to end: parse, load, checks, dbt build with its tests,
publication — once per business date (or per range, for a backfill), each in its own process and
timed alone. After each run it reads:

- dbt's ``run_results.json`` of that build (kept as ``target/last_build_run_results.json``): the
  slowest models and tests with their times;
- the catalogue: rows (``reltuples`` after ``analyze``, an estimate) and bytes per table, so what a
  night added per table, and ``pg_database_size`` (every schema) per business date.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from bankperf.settings import REPO_ROOT, DbSettings, db_settings, home

BENCH_DATABASE = "bankperf_bench"
RUN_RESULTS = REPO_ROOT / "target" / "last_build_run_results.json"


@dataclass
class Night:
    """One ``bankperf run`` and what it cost."""

    label: str
    first: dt.date
    last: dt.date
    seconds: float
    nodes: list[tuple[str, float]] = field(default_factory=list)  # (resource, seconds), slowest first
    tables: dict[str, tuple[float, int]] = field(default_factory=dict)  # table -> (rows, bytes) after
    database_bytes: int = 0

    @property
    def dates(self) -> int:
        return (self.last - self.first).days + 1


def compact_date(text: str) -> dt.date:
    """A YYYYMMDD argument."""
    return dt.datetime.strptime(text, "%Y%m%d").date()


def bench_folder() -> Path:
    folder = home() / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def bankperf_command() -> list[str]:
    return [str(Path(sys.executable).parent / "bankperf")]


def generated_inbox(accounts: int, start: dt.date, days: int) -> Path:
    """The generated bank's interface files, generated once per size, start and length."""
    inbox = bench_folder() / f"inbox-{accounts}-{start:%Y%m%d}-{days}"
    done = inbox / ".generated"
    if not done.exists():
        command = [*bankperf_command(), "generate", "--out", str(inbox), "--start", f"{start:%Y%m%d}",
                   "--days", str(days), "--accounts", str(accounts)]
        print("$ " + " ".join(command), flush=True)
        with (inbox.parent / f"{inbox.name}.log").open("w") as log:  # the progress bar, out of the report
            subprocess.run(command, check=True, stderr=log)
        done.touch()
    return inbox


def scratch_database(name: str = BENCH_DATABASE) -> DbSettings:
    """An empty database ``name`` on the configured server (the old one dropped)."""
    from bankperf import database

    if not db_settings().external:
        database.start()
    server = db_settings()
    admin = DbSettings(server.host, server.port, server.user, server.password, "postgres", True)
    with psycopg.connect(admin.url, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    target = DbSettings(server.host, server.port, server.user, server.password, name, True)
    database.ensure_schemas(target.url)  # as `bankperf db grant` would: the run's service logins find it set up
    return target


def run_night(target: DbSettings, inbox: Path, first: dt.date, last: dt.date, label: str, log: Path,
              raw_retention_days: int | None = None) -> Night:
    """``bankperf run --from first --to last`` into ``target``, timed; fails loudly when the run fails.

    With ``raw_retention_days`` the run keeps raw as a bank would (``BANKPERF_RAW_RETENTION_DAYS``: the
    job's last asset archives the delivered days under the bench folder and drops older raw partitions),
    so what a night adds once that many days are kept is what a business date costs for good."""
    env = {
        **os.environ,
        "BANKPERF_DB_URL": target.url,
        "DAGSTER_HOME": str(bench_folder() / "dagster"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "DAGSTER_DISABLE_TELEMETRY": "true",
    }
    env.pop("BANKPERF_RAW_RETENTION_DAYS", None)
    if raw_retention_days is not None:
        env["BANKPERF_RAW_RETENTION_DAYS"] = str(raw_retention_days)
        env["BANKPERF_ARCHIVE"] = str(bench_folder() / f"archive-{target.database}")
    RUN_RESULTS.unlink(missing_ok=True)
    command = [*bankperf_command(), "run", "--inbox", str(inbox), "--from", f"{first:%Y%m%d}", "--to", f"{last:%Y%m%d}"]
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        started = time.perf_counter()
        status = subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
        seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{label}: bankperf run failed (exit {status}); see {log}")
    night = Night(label, first, last, seconds)
    night.nodes = _slowest_nodes()
    night.tables, night.database_bytes = _catalogue(target)
    print(f"{label}: {first:%Y-%m-%d}..{last:%Y-%m-%d} in {seconds:.1f}s", flush=True)
    return night


def _slowest_nodes() -> list[tuple[str, float]]:
    if not RUN_RESULTS.exists():
        return []
    results = json.loads(RUN_RESULTS.read_text())["results"]
    nodes = [(r["unique_id"].split(".", 1)[0] + " " + r["unique_id"].rsplit(".", 1)[-1]
              if r["unique_id"].startswith("test.") else r["unique_id"].rsplit(".", 1)[-1],
              float(r["execution_time"])) for r in results]
    return sorted(nodes, key=lambda node: -node[1])


def _catalogue(target: DbSettings) -> tuple[dict[str, tuple[float, int]], int]:
    with psycopg.connect(target.url, autocommit=True) as conn:
        conn.execute("analyze")
        rows = conn.execute(
            """
            select n.nspname || '.' || c.relname, greatest(c.reltuples, 0), pg_total_relation_size(c.oid)
            from pg_class as c
            join pg_namespace as n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p', 'm') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
                and not c.relispartition
            """
        ).fetchall()
        # a partitioned table's figures are its partitions'
        partitions = conn.execute(
            """
            select pn.nspname || '.' || p.relname, sum(greatest(c.reltuples, 0)), sum(pg_total_relation_size(c.oid))
            from pg_inherits as i
            join pg_class as c on c.oid = i.inhrelid
            join pg_class as p on p.oid = i.inhparent
            join pg_namespace as pn on pn.oid = p.relnamespace
            group by 1
            """
        ).fetchall()
        size = conn.execute("select pg_database_size(current_database())").fetchone()[0]
    tables = {name: (float(count), int(nbytes)) for name, count, nbytes in rows}
    for name, count, nbytes in partitions:
        tables[name] = (float(count), int(nbytes))
    return tables, int(size)


def mb(nbytes: float) -> str:
    return f"{nbytes / 1e6:,.1f} MB"


def print_night(night: Night, before: Night | None, top: int = 10, tables: int = 8) -> None:
    """The night's time, its slowest dbt nodes, and the rows and bytes it added."""
    print(f"\n== {night.label}: {night.first:%Y-%m-%d}..{night.last:%Y-%m-%d} ({night.dates} date(s)) "
          f"in {night.seconds:.1f}s end to end ({night.seconds / night.dates:.1f}s a date)")
    print(f"   {top} slowest dbt nodes (run_results.json):")
    for name, seconds in night.nodes[:top]:
        print(f"     {seconds:8.1f}s  {name}")
    previous = before.tables if before else {}
    added = []
    for name, (count, nbytes) in night.tables.items():
        old_count, old_bytes = previous.get(name, (0.0, 0))
        added.append((name, count - old_count, nbytes - old_bytes))
    added.sort(key=lambda row: -row[2])
    grown = (night.database_bytes - (before.database_bytes if before else 0))
    print(f"   database {mb(night.database_bytes)} (+{mb(grown)}, {mb(grown / night.dates)} a business date); "
          f"tables that grew most:")
    for name, count, nbytes in added[:tables]:
        print(f"     {mb(nbytes):>12}  {count:>14,.0f} rows  {name}")


def write_summary(path: Path, settings: dict[str, object], nights: list[Night], target: DbSettings) -> None:
    summary = {
        "settings": settings,
        "load_average": os.getloadavg(),
        "nights": [
            {"label": n.label, "first": n.first.isoformat(), "last": n.last.isoformat(), "seconds": round(n.seconds, 1),
             "database_bytes": n.database_bytes, "slowest": n.nodes[:20]}
            for n in nights
        ],
    }
    path.write_text(json.dumps(summary, indent=2))
    print(f"\nsummary written to {path}; the database is kept: BANKPERF_DB_URL={target.redacted_url}")
