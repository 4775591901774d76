"""GL reconciliation end to end: a generated bank whose GL breaks on one day fails that day's
run with the broken lines named, keeps the lines in marts.rpt_gl_reconciliation, reports them
to finance (.xlsx and .html with the accounts behind each break), and publishes after a
corrected re-delivery of the GL file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import psycopg
import pytest
from openpyxl import load_workbook

from bankperf import cli
from bankperf.generator import generate
from bankperf.reconciliation.report import fetch, write_report

DAY1, DAY2 = dt.date(2026, 3, 30), dt.date(2026, 3, 31)


def test_gl_break_fails_the_day_is_reported_and_a_corrected_file_publishes(
    dagster_home: Path, own_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "inbox"
    generate(inbox, DAY1, 2, accounts=400, gl_breaks=[DAY2], progress=False)
    assert cli.main(["run", "--inbox", str(inbox), "--from", "20260330", "--to", "20260330"]) == 0

    code = cli.main(["run", "--inbox", str(inbox), "--from", "20260331", "--to", "20260331"])
    output = capsys.readouterr()
    assert code != 0
    assert "assert_detail_equals_gl" in output.out + output.err

    with psycopg.connect(own_db) as conn:
        statuses = dict(conn.execute(
            "select biz_date, array_agg(distinct status order by status) from marts.rpt_gl_reconciliation "
            "group by biz_date").fetchall())
        breaks = conn.execute(
            "select org_id, subject_code, currency, difference from marts.rpt_gl_reconciliation "
            "where biz_date = %s and status <> 'OK'", (DAY2,)).fetchall()
    assert statuses[DAY1] == ["OK"]
    assert 2 <= len(breaks) <= 4 and all(difference != 0 for *_, difference in breaks)

    recon = fetch(DAY2, own_db)
    assert recon.headline.startswith(f"{DAY2}: {len(breaks)} breaks out of")
    xlsx, page = write_report(DAY2, tmp_path / "report", own_db)
    workbook = load_workbook(xlsx)
    assert workbook["Summary"]["B2"].value == f"{len(breaks)} BREAKS"
    assert workbook["Breaks"].max_row == len(breaks) + 1
    broken_lines = {(org, subject, currency) for org, subject, currency, _ in breaks}
    drilled = {tuple(row[:3]) for row in workbook["Accounts of breaks"].iter_rows(min_row=2, values_only=True)}
    assert drilled and drilled <= broken_lines
    assert "breaks out of" in page.read_text(encoding="utf-8")

    generate(inbox, DAY1, 2, accounts=400, progress=False)  # the core system re-delivers a corrected GL
    assert cli.main(["run", "--inbox", str(inbox), "--from", "20260331", "--to", "20260331"]) == 0
    assert fetch(DAY2, own_db).breaks == []
