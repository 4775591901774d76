"""The appraisal cycle (issue 15) on one hand-built day, 31 Dec 2025, through the real loaders, the
real management-input imports, one real dbt build and the real publication; the period closed is
the fourth quarter of 2025 (its last day is the built day).

The bank: head office 0001; branch 0100 with sub-branches 0101 and 0102. Account managers E1..E5
at 0101 and E6 at 0102; P1, president of 0101. E1 holds D1, a CNY savings deposit of 9,200.00 at
0101 (one day of the quarter built: DEP_AVG_Q = 9,200 x 1 day / 92 days = 100.00).

The account-manager role's quarter card is DEP_AVG_Q 50 % and LOAN_AVG_Q 50 % (floor 0, cap 120);
no plan scores the floor. E1's DEP_AVG_Q plan of 200 gives completion 50 and a weighted score of 25;
nobody else has a plan, so everyone else's performance score is 0. Totals are
performance x 60 % + ability x 30 % + attitude x 10 % (no attitude input: 0).

360-degree ratings of 2025Q4 (ABILITY; rater weights of the role: SUPERIOR 50, PEER 30,
SUBORDINATE 20):
- E1: SUPERIOR P1 items 70 and 90 (mean 80); PEERS E2 80 and E3 64 (mean 72); SUBORDINATE E4
  assigned but has not rated. Renormalised over the two types that rated:
  (80 x 50 + 72 x 30) / 80 = 6,160 / 80 = 77. Total 25 x 0.6 + 77 x 0.3 = 15 + 23.1 = 38.1.
- E2 90, E3 60, E4 50, E5 40 (SUPERIOR only): totals 27, 18, 15, 12. E6 (0102) 100: total 30.

Quotas of 0101's account managers: A+ 20, A 20, B 40, C 20, D 0 (cumulative 20, 40, 80, 100, 100);
ranks 1..5 of 5 sit at 20, 40, 60, 80, 100 %: E1 A+, E2 A, E3 B, E4 B, E5 C. 0102 has no quota, so
E6 is graded by the role's thresholds: 30 < 60, D. The office overrides E5 to B (kept with its reason).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from openpyxl import load_workbook
from psycopg import sql

from bankperf import publication
from bankperf.access import users
from bankperf.appraisal import cycle
from bankperf.cli import main as bankperf_main
from bankperf.manage import commands
from bankperf.manage.validate import ValidationError
from loaders.load import load_date
from tests.dbt_runs import run_dbt
from tests.deliveries import gl_lines, write_day

DAY = dt.date(2025, 12, 31)
PASSWORD = "correct horse battery"  # test logins only, dropped at the end


def _rows() -> dict[str, list[str]]:
    deposits = ["0101|D1|0001|P9|储蓄|CNY|9200.00|2011|N|20250101||20250101|99991231|CUR|0.300000|GEN|0|"]
    return {
        "ORG": ["0001|总行||1|HO|A|19970101", "0100|一分行|0001|2|BR|A|19980301",
                "0101|一支行|0100|3|SB|A|19980301", "0102|二支行|0100|3|SB|A|19980301"],
        "EMP": [f"E{n}|员工{n}|0101|CM|A|20150701|" for n in range(1, 6)]
        + ["E6|员工6|0102|CM|A|20150701|", "P1|行长|0101|PRES|A|20150701|"],
        "CUST": ["P9|个人九|P||0||||0101"],
        "FX": ["CNY|人民币|1.000000|360|365"],
        "DEP": deposits,
        "GL": gl_lines(deposits, []),
        "REL": ["DEP|D1|0001|E1|100.00|20250101|"],
    }


def _import(workdir: Path, kind: str, lines: list[str], reason: str = "2025Q4 appraisal") -> str:
    path = workdir / f"{kind}_{uuid.uuid4().hex[:6]}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return commands.import_file(kind, path, by="office.wang", reason=reason)


RATING_HEADER = "period,emp_id,rater_type,rater_id,component,item_code,score"


def _rating(ratee: str, rater_type: str, rater: str, *scores: int) -> list[str]:
    return [f"2025Q4,{ratee},{rater_type},{rater},ABILITY,ITEM{n},{score}" for n, score in enumerate(scores, 1)]


@pytest.fixture(scope="module")
def bank(fresh_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    workdir = tmp_path_factory.mktemp("appraisal")
    inbox = workdir / "inbox"
    write_day(inbox, DAY, _rows())
    result = load_date(inbox, DAY, quiet=True)
    assert result.ok, result.errors()
    _import(workdir, "plan", ["indicator_code,subject_type,subject_id,period,plan_value",
                              "DEP_AVG_Q,EMP,E1,2025Q4,200"])
    _import(workdir, "rater_weight", ["role_code,effective_date,rater_type,weight_pct",
                                      "ACCOUNT_MANAGER,2025-01-01,SUPERIOR,50",
                                      "ACCOUNT_MANAGER,2025-01-01,PEER,30",
                                      "ACCOUNT_MANAGER,2025-01-01,SUBORDINATE,20"])
    _import(workdir, "rating_assignment", ["period,emp_id,rater_type,rater_id",
                                           "2025Q4,E1,SUPERIOR,P1", "2025Q4,E1,PEER,E2", "2025Q4,E1,PEER,E3",
                                           "2025Q4,E1,SUBORDINATE,E4"])
    _import(workdir, "rating", [RATING_HEADER, *_rating("E1", "SUPERIOR", "P1", 70, 90),
                                *_rating("E1", "PEER", "E2", 80), *_rating("E1", "PEER", "E3", 64),
                                *_rating("E2", "SUPERIOR", "P1", 90), *_rating("E3", "SUPERIOR", "P1", 60),
                                *_rating("E4", "SUPERIOR", "P1", 50), *_rating("E5", "SUPERIOR", "P1", 40),
                                *_rating("E6", "SUPERIOR", "P1", 100)])
    _import(workdir, "grade_quota", ["org_id,role_code,effective_date,grade,quota_pct",
                                     *(f"0101,ACCOUNT_MANAGER,2025-01-01,{grade},{pct}"
                                       for grade, pct in (("A+", 20), ("A", 20), ("B", 40), ("C", 20), ("D", 0)))])
    _import(workdir, "grade_decision", ["period,subject_type,subject_id,decision,grade,decision_reason",
                                        "2025Q4,EMP,E5,OVERRIDE,B,led the year-end deposit campaign",
                                        "2025Q4,EMP,E1,CONFIRM,A+,confirmed by the committee"])
    _import(workdir, "manual_indicator", ["indicator_code,subject_type,subject_id,period,value,note",
                                          "SERIOUS_INCIDENTS_Q,EMP,E2,2025Q4,1,branch audit finding"])
    _import(workdir, "plan", ["indicator_code,subject_type,subject_id,period,plan_value",
                              "SERIOUS_INCIDENTS_Q,EMP,E2,2025Q4,2"])
    window = json.dumps({"min_date": DAY.isoformat(), "max_date": DAY.isoformat()})
    command = ["build", "--vars", window, "--exclude-resource-type", "unit_test",
               "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")]
    done = run_dbt(command)
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]
    prefix = f"t15{uuid.uuid4().hex[:6]}_"
    logins = {"office": ("office", None, None), "manager": ("manager", "E1", None),
              "branch_head": ("branch_head", None, "0102")}
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        publication.record(conn, "test-appraisal", [publication.Decision(DAY, publication.PUBLISHED)])
        publication.refresh_views(conn, publication.marts_of(workdir / "target" / "manifest.json"))
        for key, (role, emp, org) in logins.items():
            users.add(conn, users.User(prefix + key, role, emp, org, key), PASSWORD, by="test")
    world = {"db": fresh_db, "workdir": workdir, "login": {key: prefix + key for key in logins}}
    try:
        yield world
    finally:
        with psycopg.connect(fresh_db, autocommit=True) as conn:
            for login in world["login"].values():
                conn.execute("select pg_terminate_backend(pid) from pg_stat_activity where usename = %s", (login,))
                conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(login)))


def _rows_of(url: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


def _as(bank: dict, key: str) -> psycopg.Connection:
    info = psycopg.conninfo.conninfo_to_dict(bank["db"])
    info.update(user=bank["login"][key], password=PASSWORD)
    return psycopg.connect(psycopg.conninfo.make_conninfo(**info), autocommit=True)


def _card(url: str) -> dict[str, tuple]:
    rows = _rows_of(url, "select subject_id, total_score, rank_in_institution, grade_basis, computed_grade, grade, "
                         "grade_status, grade_decision_reason from marts.mart_scorecard where biz_date = %s "
                         "and period_type = 'QUARTER' and subject_type = 'EMP' and role_code = 'ACCOUNT_MANAGER'",
                    (DAY,))
    return {row[0]: row[1:] for row in rows}


def test_forced_distribution_with_quotas_and_an_override_kept_with_its_reason(bank: dict) -> None:
    card = _card(bank["db"])
    assert card["E1"][:5] == (Decimal("38.1"), 1, "QUOTA", "A+", "A+")
    assert card["E1"][5:] == ("CONFIRMED", "confirmed by the committee")
    assert card["E2"][:5] == (Decimal("27"), 2, "QUOTA", "A", "A")
    assert card["E3"][:5] == (Decimal("18"), 3, "QUOTA", "B", "B")
    assert card["E4"][:5] == (Decimal("15"), 4, "QUOTA", "B", "B")
    # E5 is at 100 %: C by the quota; the office's override to B is kept with its reason
    assert card["E5"] == (Decimal("12"), 5, "QUOTA", "C", "B", "OVERRIDDEN", "led the year-end deposit campaign")
    assert card["E6"] == (Decimal("30"), 1, "THRESHOLD", "D", "D", "PROPOSED", None)  # 0102: no quota
    distribution = _rows_of(bank["db"], "select grade, subjects, population, share_pct, quota_pct, overridden "
                                        "from marts.rpt_grade_distribution where org_id = '0101' "
                                        "and role_code = 'ACCOUNT_MANAGER' and period = '2025Q4' order by grade")
    assert distribution == [("A", 1, 5, Decimal("20.00"), Decimal("20"), 0),
                            ("A+", 1, 5, Decimal("20.00"), Decimal("20"), 0),
                            ("B", 3, 5, Decimal("60.00"), Decimal("40"), 1)]  # the override shows against the quota


def test_360_ratings_renormalise_over_the_rater_types_present_and_report_missing_raters(bank: dict) -> None:
    url = bank["db"]
    (ability, source), = _rows_of(url, "select ability_score, ability_source from marts.mart_scorecard "
                                       "where biz_date = %s and period_type = 'QUARTER' and subject_id = 'E1'", (DAY,))
    assert (ability, source) == (Decimal("77"), "RATINGS")  # (80 x 50 + 72 x 30) / 80, not / 100
    assert _rows_of(url, "select period, emp_id, rater_type, rater_id from marts.rpt_missing_raters") == [
        ("2025Q4", "E1", "SUBORDINATE", "E4")]
    summary = _rows_of(url, "select rater_type, rater_count, assigned_raters, is_withheld, type_score "
                            "from marts.mart_rating_summary where emp_id = 'E1' order by rater_type")
    assert summary == [("PEER", 2, 2, False, Decimal("72")), ("SUPERIOR", 1, 1, False, Decimal("80"))]


def test_a_ratee_sees_rater_type_aggregates_never_the_raters(bank: dict) -> None:
    with _as(bank, "manager") as conn:
        mine = conn.execute("select distinct emp_id from published.mart_rating_summary").fetchall()
        assert mine == [("E1",)]
        for view in ("rpt_rating_detail", "rpt_missing_raters"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql.SQL("select * from {}").format(sql.Identifier("published", view)))
    with _as(bank, "branch_head") as conn:  # 0102: E6 only
        assert conn.execute("select distinct emp_id from published.mart_rating_summary").fetchall() == [("E6",)]
    with _as(bank, "office") as conn:
        raters = conn.execute("select rater_id from published.rpt_rating_detail where emp_id = 'E1' "
                              "and rater_type = 'PEER' order by rater_id").fetchall()
        assert raters == [("E2",), ("E3",)]


def test_a_manual_indicator_has_a_value_a_plan_and_a_completion(bank: dict) -> None:
    rows = _rows_of(bank["db"], "select value, plan_value, completion_pct, direction from marts.mart_indicator_value "
                                "where biz_date = %s and subject_id = 'E2' and indicator_code = 'SERIOUS_INCIDENTS_Q'",
                    (DAY,))
    assert rows == [(Decimal("1"), Decimal("2"), Decimal("150.0000"), "LOWER")]  # 100 x (1 + (2 - 1) / 2)
    with pytest.raises(ValidationError) as caught:
        _import(bank["workdir"], "manual_indicator", ["indicator_code,subject_type,subject_id,period,value",
                                                      "DEP_BAL,EMP,E2,2025Q4,1", "SERIOUS_INCIDENTS_Q,EMP,E2,2025,1"])
    assert "row 2: 'DEP_BAL' is not a manual indicator" in str(caught.value)
    assert "row 3: SERIOUS_INCIDENTS_Q is a quarter indicator; period 2025 is a year" in str(caught.value)


def _closed(url: str, version: int) -> dict[str, tuple]:
    rows = _rows_of(url, "select subject_id, performance_score, ability_score, total_score, grade, result_status "
                         "from published.mart_appraisal_result where period = '2025Q4' and close_version = %s "
                         "and subject_type = 'EMP'", (version,))
    return {row[0]: row[1:] for row in rows}


def test_close_restate_and_the_differences_show_exactly_the_changed_lines(
    bank: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    url, workdir = bank["db"], bank["workdir"]
    assert bankperf_main(["period", "close", "2026Q1"]) == 1  # its last day is not built
    assert "2026Q1 ends on 2026-03-31, but the published results end on 2025-12-31" in capsys.readouterr().err
    assert bankperf_main(["period", "close", "2025Q4", "--note", "fourth quarter"]) == 0
    assert "closed 2025Q4 as close" in capsys.readouterr().out
    (closed_by, plans, scores), = _rows_of(url, "select closed_by, plan_batch_ids, score_batch_ids "
                                                "from appraisal.closes")
    assert closed_by == _rows_of(url, "select current_user")[0][0]
    batches = dict(_rows_of(url, "select kind, array_agg(batch_id order by batch_id) from control.import_batches "
                                 "group by kind"))
    assert plans == batches["plan"] and scores == batches["rating"]
    before = _closed(url, 1)
    assert before["E1"] == (Decimal("25"), Decimal("77"), Decimal("38.1"), "A+", "CLOSED")
    assert _rows_of(url, "select count(*) from published.mart_appraisal_result where period = '2025Q4' "
                         "and result_status = 'OPEN'") == [(0,)]  # a closed period is read from the store
    assert bankperf_main(["period", "close", "2025Q4"]) == 1
    assert "2025Q4 is already closed" in capsys.readouterr().err
    # restatements: E1's plan 200 -> 125 (completion 50 -> 80, weighted 25 -> 40, total 38.1 -> 47.1);
    # E3's rating 60 -> 70 (total 18 -> 21)
    _import(workdir, "plan", ["indicator_code,subject_type,subject_id,period,plan_value",
                              "DEP_AVG_Q,EMP,E1,2025Q4,125"], reason="plan corrected")
    _import(workdir, "rating", [RATING_HEADER, *_rating("E3", "SUPERIOR", "P1", 70)], reason="rating corrected")
    assert _closed(url, 1) == before  # the closed results do not move
    differences = cycle.differences(psycopg.connect(url), "2025Q4")
    lines = {(row[2], row[4], row[7], row[8]): (row[9], row[10]) for row in differences}
    assert lines == {
        ("INDICATOR", "E1", "DEP_AVG_Q", "plan_value"): (Decimal("200"), Decimal("125")),
        ("INDICATOR", "E1", "DEP_AVG_Q", "completion_pct"): (Decimal("50.0000"), Decimal("80.0000")),
        ("RESULT", "E1", "performance_score", "performance_score"): (Decimal("25"), Decimal("40")),
        ("RESULT", "E1", "total_score", "total_score"): (Decimal("38.1"), Decimal("47.1")),
        ("RESULT", "E3", "ability_score", "ability_score"): (Decimal("60"), Decimal("70")),
        ("RESULT", "E3", "total_score", "total_score"): (Decimal("18"), Decimal("21")),
    }
    assert bankperf_main(["period", "diff", "2025Q4"]) == 0
    assert "6 line(s) differ from the close in force" in capsys.readouterr().err


def test_reopen_with_a_reason_and_close_again_keeps_both_versions(
    bank: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    url = bank["db"]
    with pytest.raises(SystemExit):  # --reason is required
        bankperf_main(["period", "reopen", "2025Q4"])
    capsys.readouterr()
    assert bankperf_main(["period", "reopen", "2025Q4", "--reason", "plan correction approved by the committee"]) == 0
    assert _rows_of(url, "select count(*) from published.mart_appraisal_result where period = '2025Q4' "
                         "and result_status = 'OPEN' and biz_date = %s", (DAY,))[0][0] > 0  # open again: live
    assert bankperf_main(["period", "close", "2025Q4"]) == 0
    capsys.readouterr()
    first, second = _closed(url, 1), _closed(url, 2)
    assert first["E1"] == (Decimal("25"), Decimal("77"), Decimal("38.1"), "A+", "REOPENED")
    assert second["E1"] == (Decimal("40"), Decimal("77"), Decimal("47.1"), "A+", "CLOSED")
    assert second["E3"][1:4] == (Decimal("70"), Decimal("21"), "B")
    assert cycle.differences(psycopg.connect(url), "2025Q4") == []
    assert bankperf_main(["period", "list", "2025Q4"]) == 0
    listed = [line.split("\t") for line in capsys.readouterr().out.splitlines()[1:]]
    assert [(row[2], row[6], row[9]) for row in listed] == [
        ("2", "CLOSED", ""), ("1", "REOPENED", "plan correction approved by the committee")]


def test_the_store_is_append_only_even_for_its_owner(bank: dict) -> None:
    for statement in ("update appraisal.closed_results set total_score = 100",
                      "delete from appraisal.closes", "truncate appraisal.reopenings cascade",
                      "insert into appraisal.closed_results (close_id, subject_type, subject_id) "
                      "values (1, 'EMP', 'X')"):
        with psycopg.connect(bank["db"]) as conn, pytest.raises(psycopg.errors.RaiseException):
            conn.execute(statement)
    with _as(bank, "office") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("update appraisal.closes set note = 'x'")


def test_pay_export_has_the_closed_results_per_employee(bank: dict, tmp_path: Path) -> None:
    out = tmp_path / "pay.xlsx"
    assert bankperf_main(["period", "export", "2025Q4", "--out", str(out)]) == 0
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("考核期 period", "版本 version", "员工号 employee")
    by_employee = {row[2]: row for row in rows[1:]}
    assert sorted(by_employee) == ["E1", "E2", "E3", "E4", "E5", "E6", "P1"]
    e5 = by_employee["E5"]
    assert (e5[1], e5[6], e5[7], e5[12], e5[13], e5[14]) == (2, 0, 40, 12, "B", "OVERRIDDEN")
    version_one = cycle.pay_rows(psycopg.connect(bank["db"]), "2025Q4", version=1)
    assert {row[2]: row[12] for row in version_one}["E1"] == Decimal("38.1")


def test_the_office_closes_under_its_own_login_and_a_manager_cannot(bank: dict) -> None:
    with _as(bank, "manager") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cycle.close(conn, "2025-12")
        own = conn.execute("select distinct subject_id from published.mart_appraisal_result").fetchall()
        assert own == [("E1",)]
    with _as(bank, "office") as conn:
        done = cycle.close(conn, "2025-12", note="December")
    assert done.closed_by == bank["login"]["office"] and done.version == 1 and done.results > 0
