"""The scheme as management input (issue 16): roles, weights, grades, indicator settings, the FTP
curve and the EVA parameters imported by the office, effective-dated, validated, with history,
the shipped seeds as the starting version, on a hand-built bank through one real dbt build.

The bank: head office 0001, sub-branch 0101; E1 an account manager at 0101. Days 31 Mar 2026 (the
last day of Q1) and 1 Apr 2026 (the first of Q2). One account: D1, a personal demand deposit of P1
at 0101, 1,000.00 CNY both days at 0.30 %, REL E1 100 %, no FTP-feed price (so the curve prices it).

Before the build, the office imports a DEP CNY curve effective 1 Apr: one point, 0 months 3.00 %.
After the build: plans, then next quarter's weights and grade scale (effective 1 Apr).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from bankperf.manage import commands
from bankperf.manage.validate import ValidationError
from loaders.load import load_date
from tests.dbt_runs import BUILD, run_dbt
from tests.deliveries import gl_lines, write_day

Q1_END, Q2_START = dt.date(2026, 3, 31), dt.date(2026, 4, 1)
DAYS = [Q1_END, Q2_START]


def _rows() -> dict[str, list[str]]:
    deposits = ["0101|D1|0001|P1|储蓄|CNY|1000.00|2011|N|20250101||20250101|99991231|CUR|0.300000|GEN|0|"]
    return {
        "ORG": ["0001|总行||1|HO|A|19970101", "0101|一支行|0001|3|SB|A|19980301"],
        "EMP": ["E1|甲|0101|CM|A|20150701|"],
        "CUST": ["P1|个人一|P||0||||0101"],
        "FX": ["CNY|人民币|1.000000|360|365"],
        "DEP": deposits,
        "GL": gl_lines(deposits, []),
        "REL": ["DEP|D1|0001|E1|100.00|20250101|"],
    }


def _import(workdir: Path, name: str, kind: str, text: str, reason: str = "2026 scheme") -> str:
    path = workdir / name
    path.write_text(text, encoding="utf-8")
    return commands.import_file(kind, path, by="office.chen", reason=reason)


def _rows_of(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def bank(fresh_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    workdir = tmp_path_factory.mktemp("scheme")
    inbox = workdir / "inbox"
    for day in DAYS:
        write_day(inbox, day, _rows())
        result = load_date(inbox, day, quiet=True)
        assert result.ok, result.errors()
    _import(workdir, "curve.csv", "ftp_curve",
            "acct_type,currency,effective_date,term_months,ftp_rate,action\nDEP,CNY,2026-04-01,0,3.00,\n")
    window = json.dumps({"min_date": Q1_END.isoformat(), "max_date": Q2_START.isoformat()})
    command = [*BUILD, "--vars", window,
               "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")]
    result = run_dbt(command)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    yield fresh_db, workdir


def _card(url: str, day: dt.date) -> tuple:
    return _rows_of(url, "select indicator_count, indicator_score, total_score, grade from marts.mart_scorecard "
                         "where biz_date = %s and period_type = 'MONTH' and subject_id = 'E1'", (day,))[0]


def _lines(url: str, day: dt.date) -> list[tuple]:
    return _rows_of(url, "select indicator_code, weight_pct, weighted_score from marts.mart_scorecard_line "
                         "where biz_date = %s and period_type = 'MONTH' and subject_id = 'E1' order by 1", (day,))


def test_the_curve_in_force_prices_each_day(bank: tuple[str, Path]) -> None:
    url, _ = bank
    prices = _rows_of(url, "select biz_date, ftp_rate, price_source from marts.fct_account_profit_daily "
                           "where acct_no = 'D1' order by biz_date")
    # 31 Mar: the seed's DEP CNY curve, 0 months 1.50 %; 1 Apr: the imported curve, 3.00 %
    assert [(day, rate) for day, rate, _ in prices] == [(Q1_END, Decimal("1.500000")), (Q2_START, Decimal("3.000000"))]
    points = _rows_of(url, "select valid_from, valid_to, version_source from marts.dim_scheme_ftp_curve_points "
                           "where acct_type = 'DEP' and currency = 'CNY' and term_months = 0 order by valid_from")
    assert points[-2:] == [(dt.date(2020, 1, 1), dt.date(2026, 3, 31), "SEED"), (Q2_START, None, "CONTROL")]


def test_a_weight_change_next_quarter_leaves_this_quarter_unchanged(bank: tuple[str, Path]) -> None:
    url, workdir = bank
    # DEP_AVG_M on 31 Mar with one day of history: 1,000 / 31 days = 32.258065 (6 decimals)
    _import(workdir, "plans.csv", "plan", "indicator_code,subject_type,subject_id,period,plan_value\n"
            "DEP_AVG_M,EMP,E1,2026-03,32.258065\nDEP_BAL,EMP,E1,2026-04,800\n")
    # the seed's MONTH weights of an account manager: DEP_AVG_M 40, LOAN_AVG_M 20, DEP_FTP_PROFIT_M 20,
    # FEE_INCOME_M 10, CARD_NEW_M 10; only DEP_AVG_M has a plan: 100 % x 40 % = 40; the rest floor 0.
    # total 40 x 60 % (performance) = 24 (no ability or attitude scores): grade D (below 60)
    before_q1 = _card(url, Q1_END)
    assert before_q1 == (5, Decimal("40.0000"), Decimal("24.0000"), "D")
    # 1 Apr under the seed: DEP_AVG_M has no April plan, nothing else either: 0
    assert _card(url, Q2_START) == (5, Decimal("0.0000"), Decimal("0.0000"), "D")
    lines_q1 = _lines(url, Q1_END)

    # from Q2 the office scores managers' months on the deposit balance alone, and grades more kindly
    message = _import(workdir, "weights_q2.csv", "role_indicator_weight",
                      "role_code,period_type,effective_date,indicator_code,weight_pct,floor_pct,cap_pct,action\n"
                      "ACCOUNT_MANAGER,MONTH,2026-04-01,DEP_BAL,100,0,120,\n")
    assert "queued" not in message  # read through views: nothing to restate
    _import(workdir, "grades_q2.csv", "assessment_grade",
            "grade_method,effective_date,grade,sort_order,min_total_score,max_position_pct,action\n"
            "THRESHOLD,2026-04-01,A+,1,90,,\nTHRESHOLD,2026-04-01,A,2,80,,\nTHRESHOLD,2026-04-01,B,3,70,,\n"
            "THRESHOLD,2026-04-01,C,4,60,,\nTHRESHOLD,2026-04-01,D,5,,,\n")

    # this quarter: exactly as before, line by line
    assert _card(url, Q1_END) == before_q1
    assert _lines(url, Q1_END) == lines_q1
    # next quarter: DEP_BAL 1,000 / plan 800 = 125 %, capped at 120 %, x 100 % = 120;
    # total 120 x 60 % = 72: B on the new scale (70-80; the seed's would give C)
    assert _card(url, Q2_START) == (1, Decimal("120.0000"), Decimal("72.0000"), "B")
    assert _lines(url, Q2_START) == [("DEP_BAL", Decimal("100"), Decimal("120.0000"))]
    versions = _rows_of(url, "select valid_from, valid_to, version_source from marts.dim_scheme_role_indicators "
                             "where role_code = 'ACCOUNT_MANAGER' and period_type = 'MONTH' and indicator_code in "
                             "('DEP_AVG_M', 'DEP_BAL') order by valid_from")
    assert versions == [(dt.date(2000, 1, 1), Q1_END, "SEED"), (Q2_START, None, "CONTROL")]

    # withdrawing the Q2 weights brings the seed's back (history keeps both versions)
    _import(workdir, "weights_retire.csv", "role_indicator_weight",
            "role_code,period_type,effective_date,indicator_code,weight_pct,floor_pct,cap_pct,action\n"
            "ACCOUNT_MANAGER,MONTH,2026-04-01,DEP_BAL,100,0,120,RETIRE\n", reason="withdrawn")
    assert _card(url, Q2_START) == (5, Decimal("0.0000"), Decimal("0.0000"), "D")
    history = _rows_of(url, "select action, imported_by, reason from control.role_indicator_weights_history "
                            "order by version_id")
    assert history == [(None, "office.chen", "2026 scheme"), ("RETIRE", "office.chen", "withdrawn")]


def test_indicator_settings_and_eva_parameters_by_date(bank: tuple[str, Path]) -> None:
    url, workdir = bank
    _import(workdir, "settings.csv", "indicator_setting",
            "indicator_code,effective_date,is_assessed,name_zh,name_en,action\n"
            "CARD_NEW_M,2026-04-01,0,,,\n")
    assessed = _rows_of(url, "select biz_date, is_assessed, indicator_name_en from marts.mart_indicator_value "
                             "where subject_id = 'E1' and indicator_code = 'CARD_NEW_M' order by biz_date")
    assert [(day, flag) for day, flag, _ in assessed] == [(Q1_END, True), (Q2_START, False)]
    assert assessed[0][2] == assessed[1][2]  # an empty name keeps the catalogue's
    _import(workdir, "eva.csv", "eva_parameter", "effective_date,profit_deduction_pct,action\n2026-04-01,80,\n")
    deductions = _rows_of(url, "select month_start, profit_deduction_pct from marts.mart_eva_monthly "
                               "where org_id = '0101' order by month_start")
    assert deductions == [(dt.date(2026, 3, 1), Decimal("90.000000")), (Q2_START, Decimal("80.000000"))]


def test_scheme_imports_are_validated_set_by_set(bank: tuple[str, Path]) -> None:
    url, workdir = bank
    before = _rows_of(url, "select count(*) from control.import_batches")[0][0]
    with pytest.raises(ValidationError) as caught:
        _import(workdir, "bad_weights.csv", "role_indicator_weight",
                "role_code,period_type,effective_date,indicator_code,weight_pct,floor_pct,cap_pct,action\n"
                "ACCOUNT_MANAGER,YEAR,2026-07-01,DEP_BAL,60,0,120,\n"
                "ACCOUNT_MANAGER,YEAR,2026-07-01,NO_SUCH,30,0,120,\n"
                "ACCOUNT_MANAGER,QUARTER,2026-07-01,DEP_BAL,100,130,120,\n")
    message = str(caught.value)
    assert "period_type=YEAR" in message and "weights sum to 90 %, they must sum to exactly 100 %" in message
    assert "row 3: indicator 'NO_SUCH' is not in seeds/indicator_catalogue.csv" in message
    assert "row 4: floor_pct 130 is above cap_pct 120" in message
    with pytest.raises(ValidationError) as caught:
        _import(workdir, "bad_grades.csv", "assessment_grade",
                "grade_method,effective_date,grade,sort_order,min_total_score,max_position_pct,action\n"
                "THRESHOLD,2026-07-01,A,1,80,,\nTHRESHOLD,2026-07-01,B,2,85,,\nTHRESHOLD,2026-07-01,C,3,60,,\n"
                "FORCED,2026-07-01,A,1,,20,\nFORCED,2026-07-01,B,2,,90,\n")
    message = str(caught.value)
    assert "row 4: the last grade takes every lower score: leave min_total_score empty" in message
    assert "min_total_score must descend from the best grade" in message
    assert "the last grade's max_position_pct is 90; it must be 100" in message
    with pytest.raises(ValidationError) as caught:
        _import(workdir, "bad_role.csv", "assessment_role",
                "role_code,effective_date,name_zh,name_en,subject_type,match_kinds,evaluated_on,caliber,"
                "performance_weight_pct,ability_weight_pct,attitude_weight_pct,grade_method,action\n"
                "ACCOUNT_MANAGER,2026-07-01,客户经理,account manager,EMP,CM,SELF,ASSESSMENT,70,30,10,THRESHOLD,\n")
    assert "performance, ability and attitude weights sum to 110 %" in str(caught.value)
    assert _rows_of(url, "select count(*) from control.import_batches")[0][0] == before  # nothing imported
