"""Loaders against the real database and real files: every bad-input case of the contract
ends in a clear error or a reject with its reason, and nothing is lost or duplicated."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from loaders.contract import feed
from loaders.load import load_date, load_feed
from tests.deliveries import write_day, write_feed

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "interface" / "samples"
SAMPLE_DAY = dt.date(2026, 1, 5)
D1 = dt.date(2026, 2, 1)

DEP_OK = "0101|6200010001|0001|C001|赵敏|CNY|52000.00|2011|N|20200105||20200105|99991231|CUR|0.200000|GEN|0|E001"
DEP_OK2 = "0102|6200040001|0001|C004|孙强|HKD|20000.00|2011|N|20230301||20230301|99991231|CUR|0.010000|GEN|0|E003"


def _count(url: str, table: str, day: dt.date) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(f"select count(*) from {table} where biz_date = %s", (day,)).fetchone()[0]


def _log(url: str, code: str, day: dt.date) -> dict:
    with psycopg.connect(url) as conn:
        cur = conn.execute(
            "select * from audit.load_log where feed = %s and biz_date = %s order by load_id desc limit 1", (code, day)
        )
        names = [column.name for column in cur.description]
        return dict(zip(names, cur.fetchone(), strict=True))


def _rejects(url: str, code: str, day: dt.date) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select line_no, raw_line, reason from audit.rejected_rows where feed = %s and biz_date = %s "
            "order by line_no",
            (code, day),
        ).fetchall()


def test_sample_day_loads_with_zero_rejects(fresh_db: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "20260105", inbox / "20260105")
    result = load_date(inbox, SAMPLE_DAY, quiet=True)
    assert result.ok, result.errors()
    for outcome in result.feeds:
        assert outcome.rows_rejected == 0
        assert outcome.rows_loaded == outcome.rows_read
        assert _count(fresh_db, feed(outcome.feed).qualified_table, SAMPLE_DAY) == outcome.rows_loaded
    with psycopg.connect(fresh_db) as conn:
        statuses = conn.execute("select distinct status from audit.current_loads").fetchall()
        name = conn.execute("select cust_name from raw.cust where cust_id = 'C002'").fetchone()[0]
        maturity = conn.execute("select maturity_date from raw.dep where sub_acct_no = '0001' limit 1").fetchone()[0]
    assert statuses == [("LOADED",)]
    assert name == "金华市宏达机械有限公司"
    assert maturity == dt.date(9999, 12, 31)


def test_day_without_ready_is_refused(fresh_db: str, tmp_path: Path) -> None:
    write_day(tmp_path, D1, {"DEP": [DEP_OK]}, ready=False)
    result = load_date(tmp_path, D1, quiet=True)
    assert not result.ok
    assert "READY" in result.error and "20260201" in result.error
    assert _count(fresh_db, "raw.dep", D1) == 0


def test_feed_missing_from_ready_fails_that_feed_only(fresh_db: str, tmp_path: Path) -> None:
    day = dt.date(2026, 2, 2)
    folder = write_day(tmp_path, day, {"DEP": [DEP_OK]})
    (folder / "READY").write_text("DEP\n")
    result = load_date(tmp_path, day, quiet=True)
    by_feed = {outcome.feed: outcome for outcome in result.feeds}
    assert by_feed["DEP"].status == "LOADED"
    assert by_feed["LOAN"].status == "FAILED" and "not listed" in by_feed["LOAN"].error
    assert _log(fresh_db, "LOAN", day)["status"] == "FAILED"


def test_missing_control_file(fresh_db: str, tmp_path: Path) -> None:
    write_feed(tmp_path, "DEP", D1, [DEP_OK])
    (tmp_path / "20260201" / "DEP_20260201.ctl").unlink()
    outcome = load_feed(fresh_db, tmp_path, feed("DEP"), D1)
    assert outcome.status == "FAILED"
    assert "DEP_20260201.ctl" in outcome.error and "missing" in outcome.error


def test_data_file_missing_fails_the_feed_naming_the_file_and_keeps_previous_state(
    fresh_db: str, tmp_path: Path
) -> None:
    day = dt.date(2026, 2, 10)
    data = write_feed(tmp_path, "DEP", day, [DEP_OK])
    assert load_feed(fresh_db, tmp_path, feed("DEP"), day).status == "LOADED"
    data.unlink()  # the control file arrived, the data file did not
    outcome = load_feed(fresh_db, tmp_path, feed("DEP"), day)
    assert outcome.status == "FAILED"
    assert str(data) in outcome.error and "missing" in outcome.error
    assert _count(fresh_db, "raw.dep", day) == 1  # the previous load stays
    assert _log(fresh_db, "DEP", day)["status"] == "FAILED"


@pytest.mark.parametrize(
    ("override", "expected"),
    [({"row_count": 5}, "1 data lines, but DEP_20260203.ctl says 5"), ({"md5": "0" * 32}, "MD5")],
)
def test_control_mismatch_loads_nothing_and_keeps_previous_state(
    fresh_db: str, tmp_path: Path, override: dict, expected: str
) -> None:
    day = dt.date(2026, 2, 3)
    write_feed(tmp_path, "DEP", day, [DEP_OK, DEP_OK2])
    assert load_feed(fresh_db, tmp_path, feed("DEP"), day).status == "LOADED"
    write_feed(tmp_path, "DEP", day, [DEP_OK], **override)  # a bad re-delivery
    outcome = load_feed(fresh_db, tmp_path, feed("DEP"), day)
    assert outcome.status == "FAILED"
    assert expected in outcome.error and "DEP_20260203.dat" in outcome.error
    assert _count(fresh_db, "raw.dep", day) == 2  # the previous good load stays
    log = _log(fresh_db, "DEP", day)
    assert log["status"] == "FAILED" and expected in log["error"]


def test_gbk_file_decodes(fresh_db: str, tmp_path: Path) -> None:
    day = dt.date(2026, 2, 4)
    write_feed(tmp_path, "DEP", day, [DEP_OK, DEP_OK2], encoding="GBK")
    outcome = load_feed(fresh_db, tmp_path, feed("DEP"), day)
    assert outcome.status == "LOADED" and outcome.rows_rejected == 0
    with psycopg.connect(fresh_db) as conn:
        names = {row[0] for row in conn.execute("select acct_name from raw.dep where biz_date = %s", (day,))}
    assert names == {"赵敏", "孙强"}


def test_utf8_declared_but_gbk_bytes_are_rejected_per_line(fresh_db: str, tmp_path: Path) -> None:
    day = dt.date(2026, 2, 5)
    data = (DEP_OK2 + "\n").encode("utf-8") + (DEP_OK + "\n").encode("gbk")
    path = write_feed(tmp_path, "DEP", day, [])
    path.write_bytes(data)
    path.with_suffix(".ctl").write_text(f"DEP|20260205|2|{hashlib.md5(data).hexdigest()}|UTF-8\n")
    outcome = load_feed(fresh_db, tmp_path, feed("DEP"), day)
    assert outcome.status == "LOADED" and outcome.rows_loaded == 1 and outcome.rows_rejected == 1
    (line_no, _raw, reason), = _rejects(fresh_db, "DEP", day)
    assert line_no == 2 and "UTF-8" in reason


def test_bad_rows_are_rejected_with_reasons_and_the_rest_loads(fresh_db: str, tmp_path: Path) -> None:
    day = dt.date(2026, 2, 6)
    bad_count = DEP_OK.rsplit("|", 1)[0]  # 17 fields
    bad_amount = DEP_OK.replace("52000.00", "52,000.00")
    bad_date = DEP_OK.replace("20200105||", "20260230||")
    empty_key = DEP_OK.replace("|6200010001|", "||")
    spaced = DEP_OK.replace("|52000.00|", "| 52000.00 |")  # blanks are not significant: loads
    too_precise = DEP_OK.replace("52000.00", "52000.005")  # never rounded silently
    lines = [DEP_OK, bad_count, bad_amount, bad_date, empty_key, spaced, DEP_OK2, too_precise]
    write_feed(tmp_path, "DEP", day, lines, newline="\r\n")
    outcome = load_feed(fresh_db, tmp_path, feed("DEP"), day)
    assert outcome.status == "LOADED"
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (8, 3, 5)
    rejects = _rejects(fresh_db, "DEP", day)
    assert [row[0] for row in rejects] == [2, 3, 4, 5, 8]
    reasons = [row[2] for row in rejects]
    assert "wrong field count: 17 fields" in reasons[0]
    assert "column balance: '52,000.00'" in reasons[1]
    assert "column open_date: '20260230' is not a valid date" in reasons[2]
    assert "column acct_no: empty, but it is required" in reasons[3]
    assert "column balance: '52000.005' is not an amount with at most 2 decimals" in reasons[4]
    assert rejects[0][1] == bad_count
    log = _log(fresh_db, "DEP", day)
    assert log["rows_loaded"] + log["rows_rejected"] == log["ctl_row_count"] == 8
    with psycopg.connect(fresh_db) as conn:
        balances = sorted(r[0] for r in conn.execute("select balance from raw.dep where biz_date = %s", (day,)))
    assert [str(b) for b in balances] == ["20000.00", "52000.00", "52000.00"]


def test_wrong_field_count_alone_stays_on_the_fast_path(fresh_db: str, tmp_path: Path) -> None:
    day = dt.date(2026, 2, 9)
    write_feed(tmp_path, "DEP", day, [DEP_OK, DEP_OK + "|extra", DEP_OK2], encoding="GBK")
    outcome = load_feed(fresh_db, tmp_path, feed("DEP"), day)
    assert (outcome.rows_loaded, outcome.rows_rejected) == (2, 1)
    (line_no, raw_line, reason), = _rejects(fresh_db, "DEP", day)
    assert line_no == 2 and raw_line == DEP_OK + "|extra" and "19 fields" in reason


def test_reload_replaces_and_never_duplicates(fresh_db: str, tmp_path: Path) -> None:
    day = dt.date(2026, 2, 7)
    write_feed(tmp_path, "DEP", day, [DEP_OK, DEP_OK2, "broken"])
    first = load_feed(fresh_db, tmp_path, feed("DEP"), day)
    second = load_feed(fresh_db, tmp_path, feed("DEP"), day)
    assert first.status == second.status == "LOADED"
    assert _count(fresh_db, "raw.dep", day) == 2
    assert len(_rejects(fresh_db, "DEP", day)) == 1
    write_feed(tmp_path, "DEP", day, [DEP_OK])  # corrected re-delivery
    assert load_feed(fresh_db, tmp_path, feed("DEP"), day).status == "LOADED"
    assert _count(fresh_db, "raw.dep", day) == 1
    assert _rejects(fresh_db, "DEP", day) == []
    with psycopg.connect(fresh_db) as conn:
        load_ids = conn.execute("select distinct load_id from raw.dep where biz_date = %s", (day,)).fetchall()
    assert load_ids == [(_log(fresh_db, "DEP", day)["load_id"],)]


def test_process_killed_mid_load_leaves_previous_state(fresh_db: str, tmp_path: Path) -> None:
    day = dt.date(2026, 2, 8)
    write_feed(tmp_path, "DEP", day, [DEP_OK, DEP_OK2])
    assert load_feed(fresh_db, tmp_path, feed("DEP"), day).status == "LOADED"
    big = [DEP_OK.replace("6200010001", f"{8000000000 + i}") for i in range(600_000)]
    write_feed(tmp_path, "DEP", day, big)
    env = {**os.environ, "BANKPERF_DB_URL": fresh_db}
    code = (
        "import sys, datetime; from loaders.load import load_feed; from loaders.contract import feed; "
        "load_feed(sys.argv[2], sys.argv[1], feed('DEP'), datetime.date(2026, 2, 8))"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path), fresh_db], env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if _log(fresh_db, "DEP", day)["status"] == "RUNNING":
            break
        assert proc.poll() is None, "the loader exited before it started loading"
        time.sleep(0.05)
    time.sleep(0.5)  # well inside the COPY of 600,000 lines
    assert proc.poll() is None, "the load finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(0.5)  # the server notices the broken connection and rolls back
    assert _count(fresh_db, "raw.dep", day) == 2
    assert _log(fresh_db, "DEP", day)["status"] == "RUNNING"  # the trace of the dead attempt
    rerun = load_feed(fresh_db, tmp_path, feed("DEP"), day)
    assert rerun.status == "LOADED" and rerun.rows_loaded == 600_000
    assert _count(fresh_db, "raw.dep", day) == 600_000
    with psycopg.connect(fresh_db) as conn:
        statuses = [r[0] for r in conn.execute(
            "select status from audit.load_log where feed = 'DEP' and biz_date = %s order by load_id", (day,))]
    assert statuses == ["LOADED", "ABANDONED", "LOADED"]
