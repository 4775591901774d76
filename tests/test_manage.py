"""Management inputs: validation naming row and column, nothing imported on error, append-only
history with who/when/why, corrections as new versions, Excel templates, export round trip."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from openpyxl import load_workbook

from bankperf.manage import commands
from bankperf.manage.validate import ValidationError

HEADER = ("acct_type,acct_no,sub_acct_no,effective_date,end_date,split_type,portion,emp_id,share_pct,is_lead,"
          "stock_base,stock_base_amount,threshold_amount,action")


def _csv(tmp_path: Path, name: str, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _current(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select acct_no, emp_id, share_pct::text, portion from control.ownership_overrides_current "
            "order by acct_no, portion, emp_id"
        ).fetchall()


def test_import_keeps_history_and_corrections_supersede_the_set(fresh_db: str, tmp_path: Path) -> None:
    first = _csv(tmp_path, "a.csv", "DEP,A1,0001,2026-01-01,,ALL,ALL,E001,60,1,,,,",
                 "DEP,A1,0001,2026-01-01,,ALL,ALL,E002,40,0,,,,")
    assert "imported 2 rows" in commands.import_file("ownership_override", first, "alice", "split agreed")
    correction = _csv(tmp_path, "b.csv", "DEP,A1,0001,20260101,,ALL,ALL,E001,100,1,,,,")
    commands.import_file("ownership-override", correction, "bob", "E002 withdrew")
    assert _current(fresh_db) == [("A1", "E001", "100", "ALL")]
    with psycopg.connect(fresh_db) as conn:
        history = conn.execute(
            "select emp_id, share_pct::text, imported_by, reason from control.ownership_overrides_history "
            "order by version_id").fetchall()
        assert history == [("E001", "60", "alice", "split agreed"), ("E002", "40", "alice", "split agreed"),
                           ("E001", "100", "bob", "E002 withdrew")]
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("update control.ownership_overrides set share_pct = 1")
    retire = _csv(tmp_path, "c.csv", "DEP,A1,0001,2026-01-01,,ALL,ALL,E001,100,1,,,,RETIRE")
    commands.import_file("ownership_override", retire, "carol", "override withdrawn")
    assert _current(fresh_db) == []


def test_bad_rows_name_row_and_column_and_nothing_is_imported(fresh_db: str, tmp_path: Path) -> None:
    bad = _csv(
        tmp_path, "bad.csv",
        "DEP,B1,0001,2026-02-30,,ALL,ALL,E001,100,1,,,,",        # row 2: no such date
        "LOAN,B2,0001,2026-01-01,,ALL,ALL,E001,60,1,,,,",         # rows 3-4: shares 110 %
        "LOAN,B2,0001,2026-01-01,,ALL,ALL,E002,50,0,,,,",
        "DEP,B3,0001,2026-01-01,,ALL,ALL,V0101,100,1,,,,",        # row 5: an institution as the lead owner
        "DEP,B4,0001,2026-01-01,,ALL,ALL,E001,70,0,,,,",          # rows 6-7: lead not largest
        "DEP,B4,0001,2026-01-01,,ALL,ALL,E002,30,1,,,,",
        "DEP,B5,0001,2026-01-01,,STOCK_INCREMENT,STOCK,E001,100,1,,,,",  # row 8: no INCREMENT, no base
        "XXX,B6,0001,2026-01-01,,ALL,ALL,E001,abc,1,,,,",        # row 9: two bad columns
    )
    with pytest.raises(ValidationError) as caught:
        commands.import_file("ownership_override", bad, "alice", "test")
    message = str(caught.value)
    assert "nothing imported" in message
    for expected in (
        "row 2, column effective_date: '2026-02-30' is not a date",
        "(rows 3, 4): portion ALL: shares sum to 110 %",
        "row 5: V0101 is an institution's public owner (virtual manager): it may take a share, but the lead",
        "(rows 6, 7): portion ALL: the lead owner E002 has 30 %, less than the largest share 70 %",
        "(rows 8): split_type STOCK_INCREMENT needs portions ['INCREMENT', 'STOCK']",
        "row 8: STOCK_INCREMENT needs stock_base",
        "row 9, column acct_type: 'XXX' is not one of DEP, LOAN, CARD",
        "row 9, column share_pct: 'abc' is not a number",
    ):
        assert expected in message
    assert _current(fresh_db) == []


def test_stock_increment_and_threshold_sets_import(fresh_db: str, tmp_path: Path) -> None:
    path = _csv(
        tmp_path, "split.csv",
        "DEP,S1,0001,2026-01-01,,STOCK_INCREMENT,STOCK,E001,100,1,PREV_YEAR_END,,,",
        "DEP,S1,0001,2026-01-01,,STOCK_INCREMENT,INCREMENT,E002,100,1,PREV_YEAR_END,,,",
        "DEP,T1,0001,2026-01-01,,THRESHOLD,TIER_1,E001,100,1,,,500000,",
        "DEP,T1,0001,2026-01-01,,THRESHOLD,TIER_2,E002,50,1,,,500000,",
        "DEP,T1,0001,2026-01-01,,THRESHOLD,TIER_2,E003,50,0,,,500000,",
    )
    commands.import_file("ownership_override", path, "alice", "stock kept by E001")
    assert len(_current(fresh_db)) == 5


def test_transfer_decisions_and_relation_approvals(fresh_db: str, tmp_path: Path) -> None:
    header = "emp_id,transfer_date,carry_mode,acct_type,acct_no,sub_acct_no,action"
    ok = _csv(tmp_path, "t.csv", "E001,2026-03-01,LIST,DEP,A1,0001,", "E001,2026-03-01,LIST,LOAN,L1,0001,",
              "E002,2026-03-05,ALL,,,,", header=header)
    commands.import_file("transfer_decision", ok, "hr", "transfer approved")
    bad = _csv(tmp_path, "t2.csv", "E003,2026-03-01,LIST,,,,", header=header)
    with pytest.raises(ValidationError, match="carry_mode LIST needs acct_type and acct_no"):
        commands.import_file("transfer_decision", bad, "hr", "x")
    header = "acct_type,acct_no,sub_acct_no,start_date,end_date,emp_id,share_pct,is_lead,approved_by,action"
    two_leads = _csv(tmp_path, "r.csv", "DEP,A1,0001,2026-01-01,,E001,50,1,admin,",
                     "DEP,A1,0001,2026-01-01,,E002,50,1,admin,", header=header)
    with pytest.raises(ValidationError, match="2 lead owners"):
        commands.import_file("relation_approval", two_leads, "admin", "x")


def test_excel_template_round_trip(fresh_db: str, tmp_path: Path) -> None:
    template = tmp_path / "override.xlsx"
    commands.write_template("ownership_override", template)
    workbook = load_workbook(template)
    sheet = workbook["ownership_override"]
    assert [cell.value for cell in sheet[1]] == HEADER.split(",")
    assert "README" in workbook.sheetnames
    sheet.append(["CARD", "6217000000000001", None, "2026-01-01", None, "ALL", "ALL", "E003", 100, 1])
    workbook.save(template)
    commands.import_file("ownership_override", template, "alice", "card moved")
    exported = tmp_path / "export.csv"
    commands.export_file("ownership_override", exported)
    assert "CARD,6217000000000001,,2026-01-01,,ALL,ALL,E003,100,1" in exported.read_text()
