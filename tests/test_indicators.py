"""Indicators, plans, scorecards, rankings and the report marts (issue 6) on hand-built days,
through the real loaders, the real plan import and one real dbt build over the three days.

The bank: head office 0001; branch 0100 with sub-branches 0101 and 0102. Employees E1, E2 (account
managers at 0101), E3 (account manager at 0102), P1 (president of 0101). Days 31 Dec 2025 (the
previous year-end), 1 and 2 Jan 2026. Accounts (CNY unless said):

- D1 personal savings of P9 at 0101, REL E1: 1,000.00 / 1,300.00 / 1,600.00
- D2 corporate demand of C1 at 0101, REL E2: 5,000.00 every day, FTP 2.10 % vs rate 0.30 % (360 days)
- D3 personal USD deposit of P9 at 0101, REL E1: 100.00 USD at 7.0 = 700.00 every day
- D4 interbank deposit of I1 at 0102, no manager: V0102, 9,000.00 every day
- L1 corporate loan of C1 at 0101, REL E2: 10,000.00; five-class 1, substandard (3) on 2 Jan
- C1 is a small enterprise from 1 Jan (customer flag); L1's own flag says no on 31 Dec and 1 Jan
  and is empty on 2 Jan, so L1 is a small-enterprise loan on 2 Jan only
- L2 housing loan of P9 at 0102, ledger manager E3: 2,000.00 / 2,000.00 / 1,900.00, matures 15 Jan 2026
- fees on 2 Jan: 50.00 RETAIL to E1 (assessed) and 30.00 LN01 to E1 (not assessed)

Every expected number is worked out by hand next to its assertion.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from openpyxl import load_workbook

from bankperf.cli import main as bankperf_main
from bankperf.manage import commands
from bankperf.manage.validate import ValidationError
from loaders.load import load_date
from tests.dbt_runs import BUILD, run_dbt
from tests.deliveries import gl_lines, write_day

DAYS = [dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 1, 2)]
D = DAYS[-1]
PLAN_HEADER = "indicator_code,subject_type,subject_id,period,plan_value"


def _rows(day: dt.date) -> dict[str, list[str]]:
    index = DAYS.index(day)
    d1 = ["1000.00", "1300.00", "1600.00"][index]
    l2 = ["2000.00", "2000.00", "1900.00"][index]
    l1_class = "3" if day == D else "1"
    l1_small = {0: "0", 1: "0", 2: ""}[index]   # L1's own flag: none on 2 Jan, so C1's decides
    c1_small = "0" if index == 0 else "1"       # C1 is a small enterprise from 1 Jan
    deposits = [
        f"0101|D1|0001|P9|储蓄|CNY|{d1}|2011|N|20250101||20250101|99991231|CUR|0.300000|GEN|0|",
        "0101|D2|0001|C1|对公|CNY|5000.00|2001|N|20250101||20250101|99991231|CUR|0.300000|GEN|0|",
        "0101|D3|0001|P9|外币|USD|100.00|2011|N|20250101||20250101|99991231|CUR|0.100000|GEN|0|",
        "0102|D4|0001|I1|同业|CNY|9000.00|2021|N|20250101||20250101|99991231|CUR|0.500000|IB|0|",
    ]
    loans = [
        f"0101|L1|0001|C1|对公贷款|CNY|10000.00|1301|N|20250101||20250101|20270101|Y01|3.650000|H1|C|{l1_class}"
        f"|0.00|0.00|0.00|100|{l1_small}|",
        f"0102|L2|0001|P9|住房贷款|CNY|{l2}|1305|N|20250101||20250101|20260115|Y01|3.950000|H2|M|1"
        "|0.00|0.00|0.00|50|0|E3",
    ]
    fees = ["F1|20260102|0101|P9|D1|0001|RETAIL|RT01|CNY|50.00|E1",
            "F2|20260102|0101|C1|L1|0001|CORP|LN01|CNY|30.00|E1"] if day == D else []
    return {
        "ORG": ["0001|总行||1|HO|A|19970101", "0100|一分行|0001|2|BR|A|19980301",
                "0101|一支行|0100|3|SB|A|19980301", "0102|二支行|0100|3|SB|A|19980301"],
        "EMP": ["E1|甲|0101|CM|A|20150701|", "E2|乙|0101|CM|A|20150701|", "E3|丙|0102|CM|A|20150701|",
                "P1|丁|0101|PRES|A|20150701|"],
        "CUST": ["P9|个人九|P||0||||0101", f"C1|公司一|C||{c1_small}||||0101", "I1|同业一|I||0||||0102"],
        "FX": ["CNY|人民币|1.000000|360|365", "USD|美元|7.000000|360|360"],
        "DEP": deposits,
        "LOAN": loans,
        "GL": gl_lines(deposits, loans),
        "REL": ["DEP|D1|0001|E1|100.00|20250101|", "DEP|D2|0001|E2|100.00|20250101|",
                "DEP|D3|0001|E1|100.00|20250101|", "LOAN|L1|0001|E2|100.00|20250101|"],
        "FTP": ["DEP|D2|0001|2.100000|20250101"],
        "FEE": fees,
    }


def _import_plans(workdir: Path, name: str, lines: list[str]) -> str:
    path = workdir / name
    path.write_text("\n".join([PLAN_HEADER, *lines]) + "\n", encoding="utf-8")
    return commands.import_file("plan", path, by="finance.li", reason="2026 plans")


@pytest.fixture(scope="module")
def bank(fresh_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    workdir = tmp_path_factory.mktemp("indicators")
    inbox = workdir / "inbox"
    for day in DAYS:
        write_day(inbox, day, _rows(day))
        result = load_date(inbox, day, quiet=True)
        assert result.ok, result.errors()
    command = [*BUILD, "--vars", json.dumps({"min_date": DAYS[0].isoformat(), "max_date": D.isoformat()}),
               "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")]
    result = run_dbt(command)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    yield fresh_db, workdir


def _rows_of(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def _values(url: str, subject_id: str, caliber: str = "ASSESSMENT", day: dt.date = D) -> dict[str, Decimal]:
    rows = _rows_of(url, "select indicator_code, value from marts.mart_indicator_value where biz_date = %s "
                         "and subject_id = %s and caliber = %s", (day, subject_id, caliber))
    return dict(rows)


def test_manager_balance_indicators(bank: tuple[str, Path]) -> None:
    url, _ = bank
    e1 = _values(url, "E1")
    assert e1["DEP_BAL"] == Decimal("2300")             # D1 1,600 + D3 100 USD × 7 = 700
    assert e1["SAV_BAL"] == Decimal("2300")             # both personal
    assert e1["DEP_CNY_BAL"] == Decimal("1600")         # the USD deposit is not RMB
    assert e1["CORP_DEP_BAL"] == Decimal("0")
    assert e1["DEP_CUM_Y"] == Decimal("4300")           # 1 Jan 1,300 + 700; 2 Jan 1,600 + 700
    assert e1["DEP_AVG_M"] == Decimal("2150")           # 4,300 / 2 days
    assert e1["DEP_AVG_Q"] == Decimal("2150")
    assert e1["DEP_AVG_Y"] == Decimal("2150")
    assert e1["DEP_INC_Y"] == Decimal("600")            # 2,300 − (1,000 + 700) at 31 Dec
    assert e1["DEP_INC_M"] == Decimal("600")            # January: the previous month-end is 31 Dec too
    # last year's average with one day of history: 1,000 / 365 = 2.739726 and 700 / 365 = 1.917808
    assert e1["DEP_AVG_INC_Y"] == Decimal("2150") - Decimal("2.739726") - Decimal("1.917808")
    assert e1["FEE_INCOME_Y"] == Decimal("50")          # the LN01 fee is not assessed
    assert e1["FEE_INCOME_M"] == Decimal("50")
    assert e1["LOAN_BAL"] == Decimal("0") and e1["NPL_RATIO"] is None  # no loans: the ratio is empty
    assert e1["NO_LOAN_CUST_DEP_BAL"] == Decimal("0")   # P9, whose deposits E1 holds, has the housing loan L2
    e2 = _values(url, "E2")
    assert e2["CORP_DEP_BAL"] == Decimal("5000")
    assert e2["DEP_FTP_PROFIT_Y"] == Decimal("0.5")     # 5,000 × (2.10 − 0.30) / 100 / 360 = 0.25 a day × 2
    assert e2["LOAN_BAL"] == Decimal("10000") and e2["NPL_BAL"] == Decimal("10000")
    assert e2["NPL_RATIO"] == Decimal("100")
    assert e2["CORP_LOAN_BAL"] == Decimal("10000")
    # small enterprises: D2 by its customer's flag (from 1 Jan); L1 by its own flag while it has one
    assert e2["SME_DEP_BAL"] == Decimal("5000")
    assert e2["SME_DEP_INC_Y"] == Decimal("5000")       # C1 was not small on 31 Dec
    assert e2["SME_DEP_AVG_Y"] == Decimal("5000")       # (5,000 + 5,000) / 2
    assert e2["SME_LOAN_BAL"] == Decimal("10000")
    assert e2["SME_LOAN_INC_Y"] == Decimal("10000")
    assert e2["SME_LOAN_AVG_Y"] == Decimal("5000")      # 1 Jan L1's own flag 0 wins over C1's: (0 + 10,000) / 2
    assert e1["SME_DEP_BAL"] == Decimal("0")            # personal deposits
    v0102 = _values(url, "V0102")
    assert v0102["IB_DEP_BAL"] == Decimal("9000") and v0102["DEP_BAL"] == Decimal("0")  # interbank excluded


def test_institution_indicators_both_calibers(bank: tuple[str, Path]) -> None:
    url, _ = bank
    for caliber in ("ASSESSMENT", "ACCOUNTING"):
        head = _values(url, "0001", caliber)
        assert head["DEP_BAL"] == Decimal("7300")          # 2,300 + 5,000
        assert head["LOAN_BAL"] == Decimal("11900")        # 10,000 + 1,900
        assert head["NPL_RATIO"] == Decimal("84.033613")   # 10,000 / 11,900 × 100
        assert head["LOAN_DEP_RATIO"] == Decimal("163.013699")  # 11,900 / 7,300 × 100
        sub = _values(url, "0102", caliber)
        assert sub["RETAIL_LOAN_BAL"] == Decimal("1900")
        assert sub["RETAIL_LOAN_INC_Y"] == Decimal("-100")  # 1,900 − 2,000
        assert sub["IB_DEP_BAL"] == Decimal("9000")
        assert head["SME_DEP_BAL"] == Decimal("5000") and head["SME_LOAN_AVG_Y"] == Decimal("5000")
    # every subject every day: 4 employees + 4 virtual managers, 4 institutions × 2 calibers, 3 days; the
    # month statements once a month (31 Dec, 2 Jan): 6 employee ones for each employee, EVA_M and EVA_Y for
    # the two sub-branches, BRANCH_EVA_M and BRANCH_EVA_Y for the branch 0100 and the head office
    daily = _rows_of(url, "select count(*) from staging.indicator_catalogue where shape <> 'MANUAL' and "
                          "(measure is null or measure not in "
                          "('EVA', 'BRANCH_EVA', 'EMPLOYEE_PROFIT', 'EMPLOYEE_GROSS_PROFIT', 'DISCOUNT_PROFIT'))")[0][0]
    counts = _rows_of(url, "select subject_type, caliber, count(*) from marts.mart_indicator_value group by 1, 2 "
                           "order by 1, 2")
    assert counts == [("EMP", "ASSESSMENT", 8 * 3 * daily + 8 * 2 * 6), ("ORG", "ACCOUNTING", 4 * 3 * daily),
                      ("ORG", "ASSESSMENT", 4 * 3 * daily + 2 * 2 * 2 + 2 * 2 * 2)]


def test_plan_import_errors_name_the_row_and_import_nothing(bank: tuple[str, Path]) -> None:
    url, workdir = bank
    before = _rows_of(url, "select count(*) from control.plans")[0][0]
    with pytest.raises(ValidationError) as caught:
        _import_plans(workdir, "bad.csv", [
            "DEP_BAL,ORG,0101,2026,8000",       # fine
            "NO_SUCH,ORG,0101,2026,1",          # row 3
            "DEP_BAL,EMP,E99,2026,1",           # row 4
            "DEP_BAL,ORG,0101,2026Q5,1",        # row 5
            "DEP_AVG_Y,ORG,0101,2026-01,1",     # row 6: a year indicator takes year plans
            "DEP_BAL,ORG,0999,2026,1",          # row 7
        ])
    message = str(caught.value)
    assert "row 3: indicator 'NO_SUCH' is not in seeds/indicator_catalogue.csv" in message
    assert "row 4, column subject_id: employee 'E99' is not in the EMP feed" in message
    assert "row 5: period '2026Q5' is not a year (2026), a quarter (2026Q1) or a month (2026-03)" in message
    assert "row 6: DEP_AVG_Y takes year plans; period 2026-01 is a month" in message
    assert "row 7, column subject_id: institution '0999' is not in the ORG feed" in message
    assert "nothing imported" in message
    assert _rows_of(url, "select count(*) from control.plans")[0][0] == before


def test_completion_follows_plans_at_once(bank: tuple[str, Path]) -> None:
    url, workdir = bank
    _import_plans(workdir, "plans.csv", [
        "DEP_BAL,ORG,0101,2026,10000",
        "DEP_BAL,ORG,0101,2026-01,7300",
        "DEP_INC_Y,EMP,E1,2026,1200",
        "RETAIL_LOAN_INC_Y,ORG,0102,2026,-200",
        "NPL_BAL,ORG,0001,2026Q1,8000",
        "LOAN_INC_Y,ORG,0101,2026,-100",
    ])

    def completion(subject: str, code: str, caliber: str = "ASSESSMENT") -> tuple:
        return _rows_of(url, "select plan_value, completion_pct, plan_period from marts.mart_indicator_value "
                             "where biz_date = %s and subject_id = %s and indicator_code = %s and caliber = %s",
                        (D, subject, code, caliber))[0]

    # a point indicator takes the finest plan containing D: the January plan, 7,300 / 7,300
    assert completion("0101", "DEP_BAL") == (Decimal("7300"), Decimal("100.0000"), "2026-01")
    assert completion("0101", "DEP_BAL", "ACCOUNTING")[1] == Decimal("100.0000")  # both calibers
    assert completion("E1", "DEP_INC_Y") == (Decimal("1200"), Decimal("50.0000"), "2026")  # 600 / 1,200
    # negative plan −200, actual −100 (a smaller decrease: better): 100 × (1 + (−100 + 200) / 200) = 150
    assert completion("0102", "RETAIL_LOAN_INC_Y")[1] == Decimal("150.0000")
    # negative plan −100, actual 0 (0101's loans did not move): 100 × (1 + 100 / 100) = 200, not 0 %
    assert completion("0101", "LOAN_INC_Y")[1] == Decimal("200.0000")
    # NPL is a control indicator: ceiling 8,000, actual 10,000: 100 × (1 + (8,000 − 10,000) / 8,000) = 75
    assert completion("0001", "NPL_BAL")[1] == Decimal("75.0000")
    # a new version of a plan changes completion at once (a view over the plans in force)
    _import_plans(workdir, "plans_v2.csv", ["DEP_INC_Y,EMP,E1,2026,600"])
    assert completion("E1", "DEP_INC_Y") == (Decimal("600"), Decimal("100.0000"), "2026")
    history = _rows_of(url, "select plan_value, imported_by from control.plans_history where set_key = "
                            "'DEP_INC_Y|EMP|E1|2026' order by batch_id")
    assert history == [(Decimal("1200"), "finance.li"), (Decimal("600"), "finance.li")]
    _import_plans(workdir, "plans_v3.csv", ["DEP_INC_Y,EMP,E1,2026,1200"])


def test_month_statement_indicators_restart_the_year_and_take_plans(bank: tuple[str, Path]) -> None:
    url, workdir = bank

    def statement(day: dt.date, code: str) -> list[tuple]:
        return _rows_of(url, "select value, plan_value, completion_pct from marts.mart_indicator_value where "
                             "biz_date = %s and subject_id = 'E2' and indicator_code = %s", (day, code))

    def gross(month: dt.date) -> Decimal:
        return _rows_of(url, "select gross_profit_cny from marts.mart_employee_profit_monthly where emp_id = 'E2' "
                             "and month_start = %s", (month,))[0][0]

    january, december = gross(dt.date(2026, 1, 1)), gross(dt.date(2025, 12, 1))
    assert january != 0 and december != 0
    # evaluated on each month's last built day; the year to date starts again in January
    assert statement(DAYS[0], "EMP_GROSS_PROFIT_M") == [(december, None, None)]
    assert statement(DAYS[1], "EMP_GROSS_PROFIT_M") == []
    assert statement(D, "EMP_GROSS_PROFIT_M")[0][0] == statement(D, "EMP_GROSS_PROFIT_Y")[0][0] == january
    # a month plan of twice the figure: 50 %
    _import_plans(workdir, "statement_plans.csv", [f"EMP_GROSS_PROFIT_M,EMP,E2,2026-01,{2 * january}"])
    assert statement(D, "EMP_GROSS_PROFIT_M") == [(january, 2 * january, Decimal("50.0000"))]


def test_plans_cli_and_xlsx_template(bank: tuple[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    url, workdir = bank
    template = workdir / "plan.xlsx"
    assert bankperf_main(["plans", "template", str(template)]) == 0
    workbook = load_workbook(template)
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]][:5] == PLAN_HEADER.split(",")
    sheet.append(["SAV_BAL", "ORG", "0101", "2026", 2300])
    workbook.save(template)
    assert bankperf_main(["plans", "import", str(template), "--by", "finance.wang"]) == 0
    assert _rows_of(url, "select completion_pct from marts.mart_indicator_value where biz_date = %s and "
                         "subject_id = '0101' and indicator_code = 'SAV_BAL' and caliber = 'ASSESSMENT'",
                    (D,)) == [(Decimal("100.0000"),)]
    bad = workdir / "bad_cli.csv"
    bad.write_text(PLAN_HEADER + "\nSAV_BAL,ORG,0101,26,1\n", encoding="utf-8")
    assert bankperf_main(["plans", "import", str(bad)]) == 1
    assert "row 2: period '26' is not a year" in capsys.readouterr().err


def test_scorecard_by_hand(bank: tuple[str, Path]) -> None:
    url, workdir = bank
    # plans already in force from the tests above are not on E1's YEAR indicators except these two
    _import_plans(workdir, "e1_plans.csv", ["DEP_AVG_INC_Y,EMP,E1,2026,2000", "FEE_INCOME_Y,EMP,E1,2026,25"])
    scores = workdir / "scores.csv"
    scores.write_text("subject_type,subject_id,period,component,item_code,score,note,action\n"
                      "EMP,E1,2026,ABILITY,360_PEER,80,,\n"
                      "EMP,E1,2026,ABILITY,360_MANAGER,90,,\n"
                      "EMP,E1,2026,ATTITUDE,360_PEER,100,,\n"
                      "EMP,E1,2026,MANUAL,SERIOUS_INCIDENT,-5,late report,\n", encoding="utf-8")
    commands.import_file("appraisal_score", scores, by="hr.zhao", reason="2026 appraisal")
    card = _rows_of(url, "select indicator_count, indicators_without_plan, indicator_score, manual_points, "
                         "performance_score, ability_score, attitude_score, total_score, grade, rank_in_bank, "
                         "rank_in_institution from marts.mart_scorecard where biz_date = %s and period_type = 'YEAR' "
                         "and subject_id = 'E1'", (D,))
    # DEP_AVG_INC_Y: 2,145.342466 / 2,000 → 107.2671 % × 25 % = 26.8168; FEE_INCOME_Y 50 / 25 = 200 %,
    # capped at 120 % × 15 % = 18; the four others have no plan: floor 0. Indicators 44.8168, manual −5
    # → performance 39.8168; ability (80 + 90) / 2 = 85; attitude 100;
    # total 39.8168 × 0.6 + 85 × 0.3 + 100 × 0.1 = 59.39008 → 59.3901, below 60: D
    assert card == [(6, 4, Decimal("44.8168"), Decimal("-5"), Decimal("39.8168"), Decimal("85"), Decimal("100"),
                     Decimal("59.3901"), "D", 1, 1)]
    # ties: E2 and E3 score 0 and share rank 2 in the bank (1, 2, 2); each is ranked in his institution
    ranks = _rows_of(url, "select subject_id, total_score, rank_in_bank, rank_in_institution from marts.mart_scorecard "
                          "where biz_date = %s and period_type = 'YEAR' and role_code = 'ACCOUNT_MANAGER' order by 1",
                     (D,))
    assert ranks == [("E1", Decimal("59.3901"), 1, 1), ("E2", Decimal("0.0000"), 2, 2),
                     ("E3", Decimal("0.0000"), 2, 1)]
    # the president is assessed on his sub-branch: 0101's DEP_INC_Y 7,300 − 6,700 = 600; no plan → floor
    president = _rows_of(url, "select evaluated_subject, value from marts.mart_scorecard_line where biz_date = %s "
                              "and period_type = 'YEAR' and subject_id = 'P1' and indicator_code = 'DEP_INC_Y'", (D,))
    assert president == [("ORG:0101", Decimal("600.000000"))]


def test_ranking_ties_and_direction(bank: tuple[str, Path]) -> None:
    url, _ = bank

    def ranks(code: str) -> list[tuple]:
        return _rows_of(url, "select subject_id, value_rank_in_bank, peers_in_bank, value_rank_in_institution "
                             "from marts.mart_ranking where biz_date = %s and subject_type = 'EMP' "
                             "and indicator_code = %s order by subject_id", (D, code))

    # DEP_BAL: E2 5,000, E1 2,300, E3 and P1 0 (tied: 3, 3); virtual managers are not ranked
    assert ranks("DEP_BAL") == [("E1", 2, 4, 2), ("E2", 1, 4, 1), ("E3", 3, 4, 1), ("P1", 3, 4, 3)]
    # NPL_BAL is LOWER-is-better: the three at 0 share rank 1, E2 (10,000) is 4th
    assert ranks("NPL_BAL") == [("E1", 1, 4, 1), ("E2", 4, 4, 3), ("E3", 1, 4, 1), ("P1", 1, 4, 1)]


def test_report_marts(bank: tuple[str, Path]) -> None:
    url, _ = bank
    comparison = _rows_of(url, "select value, value_previous_day, value_last_year_end, change_since_previous_day, "
                               "change_since_year_end from marts.rpt_indicator_comparison where biz_date = %s and "
                               "subject_id = '0101' and caliber = 'ACCOUNTING' and indicator_code = 'DEP_BAL'", (D,))
    # 2 Jan 7,300; 1 Jan 1,300 + 5,000 + 700 = 7,000; 31 Dec 1,000 + 5,000 + 700 = 6,700
    assert comparison == [(Decimal("7300.000000"), Decimal("7000.000000"), Decimal("6700.000000"),
                           Decimal("300.000000"), Decimal("600.000000"))]
    top = _rows_of(url, "select acct_type, cust_id, balance_cny, change_since_year_end, balance_rank, decrease_y_rank "
                        "from marts.rpt_top_customers where biz_date = %s order by acct_type, balance_rank", (D,))
    assert top == [
        ("DEP", "I1", Decimal("9000.00"), Decimal("0.00"), 1, 1),   # no change: tied first by decrease
        ("DEP", "C1", Decimal("5000.00"), Decimal("0.00"), 2, 1),
        ("DEP", "P9", Decimal("2300.00"), Decimal("600.00"), 3, 3),   # 2,300 − 1,700
        ("LOAN", "C1", Decimal("10000.00"), Decimal("0.00"), 1, 2),
        ("LOAN", "P9", Decimal("1900.00"), Decimal("-100.00"), 2, 1),  # the largest decrease
    ]
    contribution = _rows_of(url, "select fee_income_cny_y, deposit_balance_cny, loan_balance_cny from "
                                 "marts.rpt_customer_contribution where biz_date = %s and cust_id = 'P9'", (D,))
    assert contribution == [(Decimal("50.00"), Decimal("2300.00"), Decimal("1900.00"))]
    maturing = _rows_of(url, "select acct_no, days_to_maturity from marts.rpt_accounts_maturing where biz_date = %s "
                             "and days_to_maturity <= 30", (D,))
    assert maturing == [("L2", 13)]  # 15 Jan − 2 Jan; L1 matures in 2027
    own = _rows_of(url, "select value, value_rank_in_bank, peers_in_bank from marts.rpt_manager_scoreboard "
                        "where biz_date = %s and emp_id = 'E1' and indicator_code = 'DEP_BAL'", (D,))
    assert own == [(Decimal("2300.000000"), 2, 4)]
