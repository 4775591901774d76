"""Raw retention against the real database and real files: archive, prune, reload from the archive.

Three hand-written days are loaded through ``bankperf load``; the archive holds each day as
delivered (data, control files, READY, gzip); pruning with 1 day kept drops the raw partitions of
the published, archived dates before the last published date minus 1 and nothing else (a date not
archived keeps its partitions); ``bankperf load`` of a pruned date whose folder is gone from the
inbox reloads it from the archive, row for row.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tarfile
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from bankperf.cli import main
from bankperf.publication import PUBLISHED, Decision, ensure_tables, record
from loaders.contract import feeds
from loaders.retention import raw_partitions
from tests.deliveries import write_day

DAYS = [dt.date(2026, 2, 1), dt.date(2026, 2, 2), dt.date(2026, 2, 3)]
DEP = "0101|6200010001|0001|C001|赵敏|CNY|{balance}|2011|N|20200105||20200105|99991231|CUR|0.200000|GEN|0|E001"


def _dep_rows(url: str, day: dt.date) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute("select acct_no, balance from raw.dep where biz_date = %s", (day,)).fetchall()


def _partition_dates(url: str) -> set[dt.date]:
    with psycopg.connect(url) as conn:
        return set(raw_partitions(conn))


def test_archive_prune_and_reload(fresh_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "archive"
    monkeypatch.setenv("BANKPERF_ARCHIVE", str(archive))
    inbox = tmp_path / "inbox"
    for offset, day in enumerate(DAYS):
        write_day(inbox, day, {"DEP": [DEP.format(balance=f"{100 + offset}.00")]})
    assert main(["load", "--inbox", str(inbox), "--from", "20260201", "--to", "20260203"]) == 0

    # the first two days archived as delivered: every feed's data and control file, and READY
    assert main(["raw", "archive", "--inbox", str(inbox), "--from", "20260201", "--to", "20260202"]) == 0
    with tarfile.open(archive / "2026" / "20260201.tar.gz", "r:gz") as tar:
        names = set(tar.getnames())
    expected = {f"20260201/{code}_20260201.{ext}" for code in feeds() for ext in ("dat", "ctl")} | {"20260201/READY"}
    assert names == expected
    # a day without READY is not archived, and says so
    (inbox / "20260204").mkdir()
    assert main(["raw", "archive", "--inbox", str(inbox), "--from", "20260204"]) == 1

    with psycopg.connect(fresh_db, autocommit=True) as conn:
        ensure_tables(conn)
        record(conn, "run-1", [Decision(day, PUBLISHED) for day in DAYS])
    # keep 1 day before the last published date (3 Feb): 1 Feb goes; 2 Feb is kept (the cut-off);
    # 3 Feb is not archived anyway
    assert main(["raw", "prune", "--keep-days", "1"]) == 0
    assert _partition_dates(fresh_db) == {DAYS[1], DAYS[2]}
    assert _dep_rows(fresh_db, DAYS[0]) == []
    # with nothing kept, 2 Feb goes too, but 3 Feb stays: it is not archived
    assert main(["raw", "prune", "--keep-days", "0"]) == 0
    assert _partition_dates(fresh_db) == {DAYS[2]}

    # the delivered folder is gone from the inbox: the load reloads the archive
    shutil.rmtree(inbox / "20260201")
    assert main(["load", "--inbox", str(inbox), "--date", "20260201"]) == 0
    assert _dep_rows(fresh_db, DAYS[0]) == [("6200010001", Decimal("100.00"))]
    assert DAYS[0] in _partition_dates(fresh_db)


def test_nightly_job_retention_step(
    fresh_db: str, dagster_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nightly job's last asset, ``raw_retention``, materialized by Dagster for each night in turn.

    Off without ``BANKPERF_RAW_RETENTION_DAYS`` (nothing archived or dropped); with 1 day kept, each
    night archives its own delivered day and drops the published, archived dates before the last
    published date minus 1: on 3 Feb that is 1 Feb, once it is archived (its night ran with retention
    off).
    """
    from dagster import DagsterInstance, materialize

    from orchestration.assets.retention import retention_asset
    from orchestration.resources import InboxResource

    archive = tmp_path / "archive"
    monkeypatch.setenv("BANKPERF_ARCHIVE", str(archive))
    monkeypatch.delenv("BANKPERF_RAW_RETENTION_DAYS", raising=False)
    inbox = tmp_path / "inbox"
    for offset, day in enumerate(DAYS):
        write_day(inbox, day, {"DEP": [DEP.format(balance=f"{100 + offset}.00")]})
    assert main(["load", "--inbox", str(inbox), "--from", "20260201", "--to", "20260203"]) == 0
    resources = {"inbox": InboxResource(path=str(inbox))}

    def night(day: dt.date) -> None:
        with psycopg.connect(fresh_db, autocommit=True) as conn:
            ensure_tables(conn)
            record(conn, f"run-{day:%d}", [Decision(day, PUBLISHED)])
        # entered, so that this instance (not one a previous test left behind) is Dagster's current one
        with DagsterInstance.ephemeral() as instance:
            result = materialize([retention_asset], partition_key=day.isoformat(), resources=resources,
                                 instance=instance)
        assert result.success

    night(DAYS[0])
    assert not archive.exists() and _partition_dates(fresh_db) == set(DAYS)  # off: nothing done
    monkeypatch.setenv("BANKPERF_RAW_RETENTION_DAYS", "1")
    night(DAYS[1])
    assert _partition_dates(fresh_db) == set(DAYS)  # cut-off 1 Feb: nothing before it
    night(DAYS[2])
    assert sorted(path.name for path in (archive / "2026").iterdir()) == ["20260202.tar.gz", "20260203.tar.gz"]
    assert _partition_dates(fresh_db) == set(DAYS)  # 1 Feb was published before retention was on: not archived
    # archived by hand, 1 Feb goes on the next night's retention (the archive of a night already there is kept)
    assert main(["raw", "archive", "--inbox", str(inbox), "--from", "20260201", "--to", "20260201"]) == 0
    night(DAYS[2])
    assert _partition_dates(fresh_db) == {DAYS[1], DAYS[2]}
