"""Publication and the GL reconciliation, for real: the nightly job publishes a date only when
everything for it passed and its predecessor is published; BI's ``published`` views show the
published dates only; every date a run processes gets its finance report.

One story on a small generated bank (three days D1..D3), in one database and Dagster instance:

1. D1 runs: published (the warehouse's first date); its reconciliation report and Data Docs exist;
   ``published`` has a view per mart.
2. D3 is delivered before D2: the sensor does not start it and says it waits for D2; a
   ``bankperf run`` of D3 fails naming D2's READY, builds nothing and records D3 as WITHHELD.
3. D2 arrives with a GL that breaks; the sensor asks for D2..D3 in one run. That run is killed
   (SIGKILL, the run and its dbt process) in the middle of the dbt build: nothing is published,
   and no mart holds part of a day.
4. The rerun fails on the GL test: D2 FAILED with the broken lines, D3 WITHHELD, D1 still visible
   and marked as the last published date; the report of D2 shows the breaks and their accounts.
5. The core re-delivers a corrected GL for D2: the sensor asks for D2..D3 again, and both publish.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from dagster import DagsterInstance, build_sensor_context
from openpyxl import load_workbook
from psycopg import sql

from bankperf import cli
from bankperf.access.setup import MANAGED_VIEWS
from bankperf.generator import generate
from bankperf.reconciliation.report import fetch
from orchestration.dagster_internals import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG
from orchestration.project import manifest_path
from orchestration.resources import DatabaseResource, InboxResource

D1, D2, D3 = dt.date(2026, 4, 7), dt.date(2026, 4, 8), dt.date(2026, 4, 9)
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dbt_parse_vars(fresh_db: str) -> dict[str, str]:
    """The module parses the dbt project in its database with the first run's window (D1), so that
    run reuses the parse (conftest.dagster_home); each later window is parsed once by its run."""
    return {"min_date": D1.isoformat(), "max_date": D1.isoformat()}


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three generated days, kept aside; the test delivers them into the inbox one by one."""
    folder = tmp_path_factory.mktemp("bank")
    generate(folder, D1, 3, accounts=200, progress=False)
    return folder


@pytest.fixture(scope="module")
def broken_bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same bank whose GL of D2 disagrees with the account detail on a few lines."""
    folder = tmp_path_factory.mktemp("broken_bank")
    generate(folder, D1, 3, accounts=200, gl_breaks=[D2], progress=False)
    return folder


@pytest.fixture(scope="module")
def world(dagster_home: Path, fresh_db: str, bank: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The inbox, and BANKPERF_HOME in a temporary folder (reports and Data Docs go under it)."""
    home = tmp_path_factory.mktemp("home")
    saved = os.environ.get("BANKPERF_HOME")
    os.environ["BANKPERF_HOME"] = str(home)
    try:
        yield {"inbox": tmp_path_factory.mktemp("inbox"), "home": home, "db": fresh_db}
    finally:
        if saved is None:
            os.environ.pop("BANKPERF_HOME", None)
        else:
            os.environ["BANKPERF_HOME"] = saved


def _deliver(bank: Path, inbox: Path, day: dt.date) -> None:
    shutil.copytree(bank / f"{day:%Y%m%d}", inbox / f"{day:%Y%m%d}", dirs_exist_ok=True)


def _run(inbox: Path, first: dt.date, last: dt.date) -> int:
    return cli.main(["run", "--inbox", str(inbox), "--from", f"{first:%Y%m%d}", "--to", f"{last:%Y%m%d}"])


def _status(url: str) -> dict[dt.date, tuple[str, bool, str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("select biz_date, status, is_visible, reason from published.publication_status").fetchall()
    return {biz_date: (status, visible, reason or "") for biz_date, status, visible, reason in rows}


def _dated_marts() -> list[str]:
    """The incremental marts models with a business date (from the manifest): the tables dbt never
    drops, so their published views stand through a build (views over table- or view-materialized
    marts are regenerated when a run ends)."""
    manifest = json.loads(manifest_path().read_text())
    return sorted(
        node["alias"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts" and "biz_date" in node["columns"]
        and node["config"]["materialized"] == "incremental"
    )


def _counts(url: str, schema: str, days: list[dt.date]) -> dict[tuple[str, dt.date], int]:
    """Rows per date-keyed relation and day (relations not built count 0)."""
    counts = {}
    with psycopg.connect(url) as conn:
        for name in _dated_marts():
            if conn.execute("select to_regclass(%s)", (f"{schema}.{name}",)).fetchone()[0] is None:
                counts.update({(name, day): 0 for day in days})
                continue
            for day in days:
                query = sql.SQL("select count(*) from {} where biz_date = %s").format(sql.Identifier(schema, name))
                counts[(name, day)] = conn.execute(query, (day,)).fetchone()[0]
    return counts


def _tick(inbox: Path):
    from orchestration.sensors import inbox_ready_sensor

    with DagsterInstance.get() as instance:
        resources = {"inbox": InboxResource(path=str(inbox)), "database": DatabaseResource()}
        context = build_sensor_context(instance=instance, resources=resources)
        return inbox_ready_sensor(context)


def test_the_first_date_publishes_with_its_report_data_docs_and_views(
    world: dict, bank: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _deliver(bank, world["inbox"], D1)
    assert _run(world["inbox"], D1, D1) == 0, capsys.readouterr()
    assert "published 2026-04-07 .. 2026-04-07" in capsys.readouterr().out

    assert _status(world["db"]) == {D1: ("PUBLISHED", True, "")}
    folder = world["home"] / "recon" / "20260407"
    assert (folder / "recon_20260407.xlsx").is_file() and (folder / "recon_20260407.html").is_file()
    assert "all " in (folder / "recon_20260407.html").read_text(encoding="utf-8")  # "all N lines tied"
    assert (world["home"] / "quality" / "20260407" / "data_docs" / "index.html").is_file()

    manifest = json.loads(manifest_path().read_text())
    with psycopg.connect(world["db"]) as conn:
        views = {name for (name,) in conn.execute(
            "select table_name from information_schema.views where table_schema = 'published'")}
        built = {name for (name,) in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'")}
        marts = {node["alias"] for node in manifest["nodes"].values()
                 if node["resource_type"] == "model" and node["schema"] == "marts"} & built
        # and the access views (my_identity, the auditor's; access_log only where the server log is readable)
        assert views - {"access_log"} == marts | {"publication_status"} | (MANAGED_VIEWS - {"access_log"})
        published = conn.execute("select count(*), min(biz_date), max(biz_date) from published.fct_account_daily")
        assert published.fetchone() == (
            conn.execute("select count(*) from marts.fct_account_daily").fetchone()[0], D1, D1
        )


def test_a_date_delivered_before_its_predecessor_waits_and_is_not_built(
    world: dict, bank: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = world["inbox"]
    _deliver(bank, inbox, D3)

    tick = _tick(inbox)
    assert tick.run_requests == []
    waits = tick.skip_reason.skip_message
    assert "2026-04-09 is not published before its predecessor 2026-04-08" in waits
    assert str(inbox / "20260408" / "READY") in waits

    assert _run(inbox, D3, D3) == 1
    err = capsys.readouterr().err
    assert "2026-04-09 is not published before its predecessor 2026-04-08: no run has processed it yet" in err
    assert str(inbox / "20260408" / "READY") in err
    status = _status(world["db"])
    assert status[D1][:2] == ("PUBLISHED", True)
    assert status[D3][:2] == ("WITHHELD", False) and "predecessor 2026-04-08" in status[D3][2]
    with psycopg.connect(world["db"]) as conn:  # D3 loaded (harmless) but not built
        assert conn.execute("select count(*) from raw.dep where biz_date = %s", (D3,)).fetchone()[0] > 0
        built = conn.execute("select count(*) from marts.fct_account_daily where biz_date = %s", (D3,)).fetchone()
        assert built[0] == 0
    assert (world["home"] / "recon" / "20260409" / "recon_20260409.html").is_file()  # a report for failing dates too


def _build_lock_held(url: str) -> bool:
    from orchestration.assets.dbt import BUILD_LOCK_KEY

    with psycopg.connect(url) as conn:
        return conn.execute(
            "select exists (select 1 from pg_locks where locktype = 'advisory' and granted "
            "and database = (select oid from pg_database where datname = current_database()) "
            "and ((classid::bigint << 32) | objid::bigint) = %s)",
            (BUILD_LOCK_KEY,),
        ).fetchone()[0]


def _dbt_busy(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() "
            "and state <> 'idle' and query not ilike '%%pg_advisory_lock%%'"
        ).fetchone()[0]


def test_killed_mid_build_publishes_nothing_and_no_mart_holds_part_of_a_day(
    world: dict, broken_bank: Path
) -> None:
    inbox, url = world["inbox"], world["db"]
    _deliver(broken_bank, inbox, D2)
    tick = _tick(inbox)  # the predecessor arrived: one run over D2 and the waiting D3
    assert [(request.tags[ASSET_PARTITION_RANGE_START_TAG], request.tags[ASSET_PARTITION_RANGE_END_TAG])
            for request in tick.run_requests] == [("2026-04-08", "2026-04-09")]
    published_before = _counts(url, "published", [D1])

    run = subprocess.Popen(
        [sys.executable, "-m", "bankperf.cli", "run", "--inbox", str(inbox), "--from", "20260408", "--to", "20260409"],
        cwd=REPO, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True,
        text=True,
    )
    try:
        # the build that writes the days' rows: the partitioned one (after the staging views' build)
        for line in run.stdout:
            if "dbt_models_partitioned" in line and line.rstrip().endswith("started"):
                break
        else:
            raise AssertionError("the run ended before its partitioned dbt build")
        threading.Thread(target=run.stdout.read, daemon=True).start()  # keep reading: a full pipe would stall it
        deadline = time.monotonic() + 240
        while not _build_lock_held(url):  # the dbt step has started
            assert run.poll() is None, "the run ended before its dbt build"
            assert time.monotonic() < deadline, "the dbt build did not start"
            time.sleep(0.2)
        busy_since = None
        while busy_since is None or time.monotonic() - busy_since < 4:  # dbt has been writing for a while
            assert run.poll() is None, "the run finished before it could be killed"
            if busy_since is None and _dbt_busy(url):
                busy_since = time.monotonic()
            time.sleep(0.1)
    finally:
        os.killpg(run.pid, signal.SIGKILL)  # the run and its dbt process, mid-build
        run.wait()
    deadline = time.monotonic() + 60
    while _dbt_busy(url) and time.monotonic() < deadline:  # the server rolls back what the dead build had open
        time.sleep(0.2)

    status = _status(url)
    assert status[D1][:2] == ("PUBLISHED", True)
    assert {day: status[day][:2] for day in (D2, D3)} == {day: ("BUILDING", False) for day in (D2, D3)}
    assert "interrupted" in status[D2][2]
    assert _counts(url, "published", [D1, D2, D3]) == {
        **published_before, **{(name, day): 0 for name in _dated_marts() for day in (D2, D3)}
    }
    world["at_kill"] = _counts(url, "marts", [D2, D3])


def test_a_gl_break_fails_its_date_keeps_the_previous_state_visible_and_is_reported(
    world: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox, url = world["inbox"], world["db"]
    assert _run(inbox, D2, D3) == 1
    output = capsys.readouterr()
    assert "assert_detail_equals_gl" in output.out + output.err

    built = _counts(url, "marts", [D2, D3])
    half = {key: (count, built[key]) for key, count in world["at_kill"].items() if count not in (0, built[key])}
    assert not half, f"models holding part of a day after the kill: {half}"
    assert built[("fct_account_owner_daily", D2)] > 0 and built[("fct_account_owner_daily", D3)] > 0

    with psycopg.connect(url) as conn:
        breaks = conn.execute(
            "select org_id, subject_code, currency, difference from marts.rpt_gl_reconciliation "
            "where biz_date = %s and status <> 'OK' order by 1, 2, 3", (D2,)).fetchall()
        broken_days = conn.execute(
            "select distinct biz_date from marts.rpt_gl_reconciliation where status <> 'OK'").fetchall()
        through = conn.execute("select distinct last_published_date from published.publication_status").fetchall()
        visible = conn.execute("select min(biz_date), max(biz_date) from published.fct_account_daily").fetchone()
    assert broken_days == [(D2,)] and 2 <= len(breaks) <= 4 and all(difference != 0 for *_, difference in breaks)

    status = _status(url)
    assert status[D1][:2] == ("PUBLISHED", True) and through == [(D1,)] and visible == (D1, D1)
    assert status[D2][:2] == ("FAILED", False) and status[D3][:2] == ("WITHHELD", False)
    assert "assert_detail_equals_gl" in status[D2][2]
    for org, subject, currency, difference in breaks:  # the failing date's reason names every broken line
        assert f"GL line {org}/{subject}/{currency} on 2026-04-08: BREAK" in status[D2][2]
        assert f"difference {difference}" in status[D2][2]
    assert "withheld: the same run failed on 2026-04-08" in status[D3][2]

    folder = world["home"] / "recon" / "20260408"
    workbook = load_workbook(folder / "recon_20260408.xlsx")
    assert workbook["Summary"]["B2"].value == f"{len(breaks)} BREAKS"
    assert workbook["Breaks"].max_row == len(breaks) + 1
    broken_lines = {(org, subject, currency) for org, subject, currency, _ in breaks}
    drilled = {tuple(row[:3]) for row in workbook["Accounts of breaks"].iter_rows(min_row=2, values_only=True)}
    assert drilled and drilled <= broken_lines
    assert f"{len(breaks)} breaks out of" in (folder / "recon_20260408.html").read_text(encoding="utf-8")
    assert (world["home"] / "recon" / "20260409" / "recon_20260409.xlsx").is_file()
    world["built"] = built


def test_a_corrected_redelivery_publishes_both_dates(
    world: dict, bank: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox, url = world["inbox"], world["db"]
    _deliver(bank, inbox, D2)  # the core system re-delivers D2 with a GL that ties (a new READY)
    os.utime(inbox / "20260408" / "READY")  # written now, after the runs so far
    tick = _tick(inbox)
    assert [(request.tags[ASSET_PARTITION_RANGE_START_TAG], request.tags[ASSET_PARTITION_RANGE_END_TAG])
            for request in tick.run_requests] == [("2026-04-08", "2026-04-09")]

    assert _run(inbox, D2, D3) == 0, capsys.readouterr()
    status = _status(url)
    assert {day: status[day][:2] for day in (D1, D2, D3)} == {day: ("PUBLISHED", True) for day in (D1, D2, D3)}
    assert fetch(D2, url).breaks == []
    complete = _counts(url, "marts", [D2, D3])
    assert complete[("fct_account_owner_daily", D2)] == world["built"][("fct_account_owner_daily", D2)]
    assert _counts(url, "published", [D2, D3]) == complete
    assert "all " in (world["home"] / "recon" / "20260408" / "recon_20260408.html").read_text(encoding="utf-8")
