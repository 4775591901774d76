"""Loader throughput against a bare ``psql \\copy`` of the same file (``make bench-load``).

Generates one day of the synthetic bank (1,000,000 deposit accounts by default), then loads
its DEP file both ways into a scratch database, best of ``--repeat`` runs each:

- bare: ``psql`` creates an equivalent typed table and ``\\copy``-s the file into it in one
  transaction (the same CSV options and the same single-transaction shape the loader uses,
  so neither side gets a WAL advantage the other lacks);
- bankperf: ``loaders.load.load_feed`` — control-file and MD5 checks, decoding, line
  validation, rejects, the audit log and the atomic partition swap included.

Prints both times, rows per second and the ratio (bankperf / bare; the target is <= 1.10).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from psycopg import sql

from bankperf import database
from bankperf.settings import DbSettings, db_settings
from loaders import ddl
from loaders.contract import feed
from loaders.delivery import data_file
from loaders.load import ensure_raw_tables, load_feed

DAY = dt.date(2026, 1, 5)


def _psql() -> str:
    try:
        return str(database.find_bin_dir() / "psql")
    except database.DatabaseError:
        return "psql"


def bare_copy(target: DbSettings, path: Path, code: str) -> float:
    contract = feed(code)
    create = sql.SQL("create table bench_copy ({})").format(
        sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(column.name), sql.SQL(column.pg_type)) for column in contract.columns
        )
    )
    with psycopg.connect(target.url) as conn:
        create_text = create.as_string(conn)
    script = (
        "drop table if exists bench_copy;\nbegin;\n" + create_text + ";\n"
        f"\\copy bench_copy from '{path}' with (format csv, delimiter '|', null '', quote e'\\x01')\n"
        "commit;\n"
    )
    env = {**os.environ, **target.env()}
    started = time.perf_counter()
    subprocess.run([_psql(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "set client_encoding = 'UTF8'", "-f", "-"],
                   input=script, text=True, env=env, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--feed", default="DEP")
    args = parser.parse_args()

    from bankperf.generator import generate

    database.start()
    server = db_settings()
    name = f"bankperf_bench_{uuid.uuid4().hex[:8]}"
    admin = DbSettings(server.host, server.port, server.user, server.password, "postgres", True)
    target = DbSettings(server.host, server.port, server.user, server.password, name, True)
    with tempfile.TemporaryDirectory(prefix="bankperf-bench-") as folder:
        inbox = Path(folder)
        print(f"generating one day with {args.accounts:,} deposit accounts ...", flush=True)
        generate(inbox, DAY, 1, accounts=args.accounts, progress=False)
        path = data_file(inbox, args.feed, DAY)
        lines = sum(1 for _ in path.open("rb"))
        size_mb = path.stat().st_size / 1e6
        with psycopg.connect(admin.url, autocommit=True) as conn:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        try:
            with psycopg.connect(target.url, autocommit=True) as conn:
                ensure_raw_tables(conn)
            bare_times, ours = [], []
            for attempt in range(args.repeat):
                bare_times.append(bare_copy(target, path, args.feed))
                started = time.perf_counter()
                result = load_feed(target.url, inbox, feed(args.feed), DAY)
                ours.append(time.perf_counter() - started)
                if result.status != "LOADED":
                    raise SystemExit(f"bankperf load failed: {result.error}")
                print(f"  run {attempt + 1}: psql \\copy {bare_times[-1]:.2f}s, bankperf load {ours[-1]:.2f}s",
                      flush=True)
        finally:
            with psycopg.connect(admin.url, autocommit=True) as conn:
                conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
    bare, best = min(bare_times), min(ours)
    partition = ddl.partition_name(feed(args.feed), DAY)
    print(f"\n{args.feed} file: {lines:,} lines, {size_mb:,.1f} MB (partition raw.{partition})")
    print(f"psql \\copy    : {bare:7.2f} s  {lines / bare:12,.0f} rows/s")
    print(f"bankperf load : {best:7.2f} s  {lines / best:12,.0f} rows/s")
    print(f"ratio (bankperf / psql): {best / bare:.3f}  (target <= 1.10)")


if __name__ == "__main__":
    main()
