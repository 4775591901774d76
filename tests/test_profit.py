"""Profit measures (issue 5) on hand-built days, real files, real loaders, real dbt.

Three days, 14-16 March 2026; 14 March is the warehouse's first day. Management inputs are
imported through ``bankperf manage import`` before the first build: branch adjustments (+10 bps
at branch 0100 for time savings, +50 bps at head office for every deposit) and a capital policy
of 10 % / 12 % from 16 March (before it the seed default 8 % / 10 % applies). Every expected
number below is worked out by hand in the comment beside it.
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

pytestmark = pytest.mark.slow

PROFIT = "+path:dbt_project/models/marts/profit"  # the profit marts and everything they are built from
MONTH_STATEMENTS = "dim_indicator_subject fct_indicator_value_monthly"  # EVA and employee profit as indicators
D1, D2, D3 = dt.date(2026, 3, 14), dt.date(2026, 3, 15), dt.date(2026, 3, 16)


def _loan(acct: str, org: str, balance: str, open_date: str, maturity: str, rate: str, five_class: int,
          impairment: str, accrued: str, income: str, risk_weight: str, mgr: str, subject: str = "1301") -> str:
    """A LOAN line (24 fields) of customer C002: a short-term loan (subject 1301) unless told otherwise."""
    method = "D" if subject == "1311" else "G"
    return (f"{org}|{acct}|0001|C002|测试贷款|CNY|{balance}|{subject}|N|{open_date}||{open_date}|{maturity}|Y01|"
            f"{rate}|HT{acct}|{method}|{five_class}|{impairment}|{accrued}|{income}|{risk_weight}|0|{mgr}")


def _rows(day: dt.date) -> dict[str, list[str]]:
    """The feeds of one day."""
    deposits = [
        # DC1: CNY demand savings at 0102 (under branch 0100), 0.30 %, FTP price 1.80 % from 1 January
        "0102|DC1|0001|C001|活期储蓄|CNY|1000000.00|2011|N|20200101||20200101|99991231|CUR|0.300000|GEN|0|E002",
        # DH1: HKD six-month time savings at 0101, 2.20 %, maturing 26 May, no FTP price (curve)
        "0101|DH1|0001|C001|港币定期|HKD|200000.00|2012|N|20251126||20251126|20260526|M06|2.200000|GEN|0|E001",
        # DX1: corporate demand deposit of 0101 moved to corporate department 0103, not yet assigned (REL to
        # V0103): 365,000 at 0.50 %, FTP 2.00 % + 50 bps = 2.50 %: transfer income 25.00, profit 20.00 a day
        "0101|DX1|0001|C002|公司活期|CNY|365000.00|2001|N|20200101||20200101|99991231|CUR|0.500000|GEN|0|",
    ]
    lp1 = {D1: (2, "15000.00", "0.00"), D2: (2, "15000.00", "100.00"), D3: (3, "25000.00", "150.00")}[day]
    loans = [
        # LP1: 1,000,000 at 4.35 %, FTP price 2.00 %, risk weight 100; provision rises on the 16th
        _loan("LP1", "0101", "1000000.00", "20250601", "20260601", "4.350000", *lp1, "119.18", "100", "E001"),
        # LF1: opened on the warehouse's first day, FTP price 2.50 % from that day
        _loan("LF1", "0102", "100000.00", "20260314", "20270314", "4.000000", 1, "3000.00", "0.00", "0.00", "100",
              "E002"),
    ]
    loans += [
        # LC1: 0101's loan owned by E003 of corporate department 0103: 365,000 at 4.00 %, FTP 3.00 %:
        # spread 10.00, transfer expense 30.00, capital 8.00 a day (12.00 from the 16th), constant provision
        _loan("LC1", "0101", "365000.00", "20250101", "20261231", "4.000000", 1, "1000.00", "0.00", "0.00", "100",
              ""),
        # LD1, LD2: bill discounts of 0102 (E002's, and nobody's: V0102), 300,000 and 100,000
        _loan("LD1", "0102", "300000.00", "20260301", "20260901", "1.500000", 1, "0.00", "0.00", "0.00", "100",
              "E002", subject="1311"),
        _loan("LD2", "0102", "100000.00", "20260301", "20260901", "1.500000", 1, "0.00", "0.00", "0.00", "100",
              "", subject="1311"),
    ]
    if day >= D2:  # LN1: a new loan on the 15th, no FTP price (curve), risk weight 50
        loans.append(_loan("LN1", "0101", "500000.00", "20260315", "20270315", "3.650000", 1, "7500.00", "0.00",
                           "0.00", "50", "E001"))
    return {
        "ORG": ["0001|总行||1|HO|A|19970101", "0100|城东分行|0001|2|BR|A|19980301",
                "0101|城东支行|0100|3|SB|A|19980301", "0102|城西支行|0100|3|SB|A|19990301",
                "0103|公司业务部|0001|3|CD|A|20100101"],
        "EMP": ["E001|张伟|0101|CM|A|20150701|", "E002|李娜|0102|CM|A|20160701|", "E003|王强|0103|CM|A|20170701|"],
        "CUST": ["C001|赵敏|P||0||||0101", "C002|金华宏达|C|C34|1||||0101"],
        "FX": ["CNY|人民币|1.000000|365|365", "HKD|港币|0.910000|365|365"],
        "DEP": deposits,
        "LOAN": loans,
        "GL": gl_lines(deposits, loans),
        "FTP": ["DEP|DC1|0001|1.800000|20260101", "LOAN|LP1|0001|2.000000|20250601",
                "LOAN|LF1|0001|2.500000|20260314", "DEP|DX1|0001|2.000000|20200101", "LOAN|LC1|0001|3.000000|20250101"],
        # DH1 is owned 60/40 by E001 (0101) and E002 (0102); the other accounts by their ledger manager
        "REL": ["DEP|DH1|0001|E001|60|20260101|", "DEP|DH1|0001|E002|40|20260101|",
                "DEP|DX1|0001|V0103|100|20260101|", "LOAN|LC1|0001|E003|100|20260101|"],
        "FEE": FEES if day == D1 else [],
        "INTL": SETTLEMENTS if day == D1 else [],
        "CARD": CARDS[day],
    }


FEES = [
    "F1|20260314|0101|C001|||RETAIL|WMGT02|CNY|300.00|E001",            # a known employee
    "F2|20260314|0101|C001|DH1|0001|RETAIL|AGNT03|HKD|33.33|E999",     # unknown employee: DH1's owners
    "F3|20260314|0102|C002|||CORP|SETL01|CNY|60.00|",                  # nobody: 0102's virtual manager
    "F4|20260314|0101|C002|LP1|0001|CORP|LN01|CNY|8000.00|E001",       # converted loan interest: not assessed
    "F5|20260314|0101|C002|||CORP|ACPT01|CNY|2500.00|",                # acceptance: not assessed
    "F6|20260314|0101|C002|LP1||CORP|GUAR07|CNY|100.00|",              # no sub-account given: LP1's owners
]
SETTLEMENTS = ["I1|20260314|0101|C002|E001|EXP|HKD|10000.00", "I2|20260314|0102|C002||REM|CNY|5000.00"]
_K2 = "K2|0101|C001|DC1|D|N|20251201|20251201||E001"  # issued last year
_K3 = "K3|0102|C001|DC1|D|U|20260315|||E002"  # issued on the 15th, never activated
CARDS = {
    D1: ["K1|0101|C001|DC1|D|N|20260314|20260314||E001", _K2],
    D2: ["K1|0101|C001|DC1|D|N|20260314|20260314||E001", _K2, _K3],
    D3: ["K1|0101|C001|DC1|D|X|20260314|20260314|20260316|E001", _K2, _K3],  # K1 cancelled on the 16th
}


EVA_HEADER = ("org_id,month,report_profit,receivable_interest_decrease,new_suspense_advances,internal_interest_income,"
              "internal_interest_expense,actual_expenses,special_provisions,regulatory_fee,"
              "interbank_deposit_interest_income,interbank_lending_interest_income,discount_holding_interest_income,"
              "interbank_deposit_interest_expense,split_interest_income,split_fee_income,split_business_tax,"
              "split_deposit_interest_expense,other_adjustments,action")


def _dbt(workdir: Path, first: dt.date, last: dt.date, *args: str) -> None:
    command = [*BUILD, "--vars", json.dumps({"min_date": first.isoformat(), "max_date": last.isoformat()}),
               "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs"), *args]
    result = run_dbt(command)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def _import(tmp_path: Path, kind: str, header: str, *rows: str) -> str:
    path = tmp_path / f"{kind}.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return commands.import_file(kind, path, "finance", "test set-up")


@pytest.fixture(scope="module")
def warehouse(fresh_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("profit")
    _import(workdir, "ftp_adjustment", "org_id,acct_type,product_line,effective_date,adjustment_bps,action",
            "0100,DEP,SAVINGS_TIME,2026-01-01,10,", "0001,DEP,ALL,2026-01-01,50,")
    _import(workdir, "capital_policy", "effective_date,capital_ratio_pct,hurdle_rate_pct,action",
            "2026-03-16,10,12,")
    _import(workdir, "rediscount_income", "org_id,month,amount_cny,action", "0102,2026-03-01,1000.00,")
    _import(workdir, "manager_cost", "emp_id,effective_date,base_cost_cny,marketing_cost_rate_pct,action",
            "E001,2026-03-01,1000,10,", "E003,2026-03-01,0.50,10,")
    _import(workdir, "eva_finance_terms", EVA_HEADER,
            "0101,2026-03-01,100000,-2000,3000,4000,1500,20000,5000,600,700,800,900,1000,,,,,250,",
            "0103,2026-03-01,,,,,,2000,100,50,,,,,5000,1200,300,800,-20,")
    inbox = workdir / "inbox"
    for day in (D1, D2, D3):
        write_day(inbox, day, _rows(day))
        result = load_date(inbox, day, quiet=True)
        assert result.ok, result.errors()
    _dbt(workdir, D1, D1, "--select", PROFIT, "indicator_catalogue", MONTH_STATEMENTS, "--indirect-selection",
         "cautious")
    for day in (D2, D3):
        _dbt(workdir, day, day, "--select", f"{PROFIT},tag:daily", MONTH_STATEMENTS, "--indirect-selection",
             "cautious")
    WORKDIRS[fresh_db] = workdir
    yield fresh_db


def _profit(url: str, day: dt.date, acct_no: str, columns: str) -> tuple:
    with psycopg.connect(url) as conn:
        found = conn.execute(f"select {columns} from marts.fct_account_profit_daily where biz_date = %s "
                             "and acct_no = %s", (day, acct_no)).fetchall()
    assert len(found) == 1, (day, acct_no, found)
    return found[0]


WORKDIRS: dict[str, Path] = {}
PRICE = "price_source, feed_ftp_rate, curve_rate, adjustment_bps, adjustment_org_id, ftp_rate"


def test_cny_deposit_feed_price_plus_head_office_adjustment(warehouse: str) -> None:
    # DC1 (savings demand at 0102): 0100's adjustment is for time savings only, so head office's
    # +50 bps for ALL deposits applies: 1.80 + 0.50 = 2.30 %
    assert _profit(warehouse, D1, "DC1", PRICE) == (
        "FEED", Decimal("1.800000"), Decimal("1.500000"), Decimal("50.00"), "0001", Decimal("2.300000"))
    # Exact (rules.md, Precision; re-derived when rounding moved to what users see): 1,000,000 x (2.30 - 0.30)
    # / 100 / 365 = 54.794520547945... -> 54.7945205479 at 10 decimals a day; transfer income 1,000,000 x 2.30
    # / 100 / 365 = 63.0136986301; month to date on the 16th 3 x 54.7945205479 = 164.3835616437, 164.38 to the
    # fen (the exact 3 x 54.794520547945 = 164.383561643835) - rounding each day first gave 3 x 54.79 = 164.37
    assert _profit(warehouse, D3, "DC1", "deposit_profit_cny, loan_profit_cny, ftp_profit_cny, transfer_income_cny, "
                                         "ftp_profit_cny_m, ftp_profit_cny_y") == (
        Decimal("54.7945205479"), None, Decimal("54.7945205479"), Decimal("63.0136986301"), Decimal("164.3835616437"),
        Decimal("164.3835616437"))


def test_hkd_deposit_priced_from_the_curve_at_its_remaining_term(warehouse: str) -> None:
    # DH1 matures 26 May: 73 days left on the 14th -> 73 x 12 / 365 = 2.4 months, between the HKD
    # deposit points 0 (2.70 %) and 3 months (2.90 %): 2.70 + 0.20 x 2.4 / 3 = 2.86 %; the branch's
    # +10 bps for time savings (nearer than head office's +50) -> 2.96 %
    assert _profit(warehouse, D1, "DH1", PRICE + ", remaining_term_months, balance_cny") == (
        "CURVE", None, Decimal("2.860000"), Decimal("10.00"), "0100", Decimal("2.960000"), Decimal("2.400000"),
        Decimal("182000.00"))
    # 200,000 HKD x 0.91 = 182,000 CNY; x (2.96 - 2.20) / 100 / 365 = 138,320 / 36,500 = 3.789589041095... (exact,
    # 10 decimals)
    assert _profit(warehouse, D1, "DH1", "ftp_profit_cny") == (Decimal("3.7895890411"),)
    # the 15th: 72 days = 2.367123 months -> 2.70 + 0.2 / 3 x 2.367123 = 2.857808 (+0.10 = 2.957808);
    # 182,000 x 0.757808 / 100 / 365 = 3.778659068493... -> 3.7786590685; month to date 3.7895890411 + 3.7786590685
    # = 7.5682481096 (7.57 to the fen)
    assert _profit(warehouse, D2, "DH1", "curve_rate, ftp_rate, ftp_profit_cny, ftp_profit_cny_m") == (
        Decimal("2.857808"), Decimal("2.957808"), Decimal("3.7786590685"), Decimal("7.5682481096"))


LOAN = ("delta_impairment_cny, delta_accrued_unpaid_int_cny, interest_margin_cny, economic_capital_cost_cny, "
        "loan_profit_cny")


def test_loan_whose_provision_rises_and_the_policy_changes_mid_month(warehouse: str) -> None:
    # LP1: 1,000,000 x (4.35 - 2.00) / 100 / 365 = 64.383561643835... -> 64.3835616438 a day (exact, 10 decimals).
    # 14th (warehouse's first day, opened long before): no Δ; capital 1,000,000 x 100 % x 8 % x 10 % / 365
    # = 21.917808219178... -> 21.9178082192; profit 64.3835616438 - 21.9178082192 = 42.4657534246
    assert _profit(warehouse, D1, "LP1", LOAN) == (
        Decimal("0.00"), Decimal("0.00"), Decimal("64.3835616438"), Decimal("21.9178082192"), Decimal("42.4657534246"))
    # 15th: accrued unpaid 0 -> 100: 64.3835616438 - 0 - 100 - 21.9178082192 = -57.5342465754
    assert _profit(warehouse, D2, "LP1", LOAN) == (
        Decimal("0.00"), Decimal("100.00"), Decimal("64.3835616438"), Decimal("21.9178082192"),
        Decimal("-57.5342465754"))
    # 16th: provision 15,000 -> 25,000 (substandard), accrued 100 -> 150, and the policy of 10 % / 12 %:
    # capital 1,000,000 x 10 % x 12 % / 365 = 32.876712328767... -> 32.8767123288;
    # 64.3835616438 - 10,000 - 50 - 32.8767123288 = -10,018.4931506850
    assert _profit(warehouse, D3, "LP1", LOAN) == (
        Decimal("10000.00"), Decimal("50.00"), Decimal("64.3835616438"), Decimal("32.8767123288"),
        Decimal("-10018.4931506850"))
    assert _profit(warehouse, D2, "LP1", "capital_ratio_pct, hurdle_rate_pct, capital_policy_source") == (
        Decimal("8.000000"), Decimal("10.000000"), "DEFAULT")
    assert _profit(warehouse, D3, "LP1", "capital_ratio_pct, hurdle_rate_pct, capital_policy_source, "
                                         "capital_policy_date, is_npl") == (
        Decimal("10.000000"), Decimal("12.000000"), "CONTROL", D3, True)
    # month to date: 42.4657534246 - 57.5342465754 - 10,018.4931506850 = -10,033.5616438358 (-10,033.56 to the fen;
    # the days rounded first gave -10,033.58); capital 21.9178082192 x 2 + 32.8767123288 = 76.7123287672;
    # booked interest (fen, as the core booked it) 3 x 119.18 = 357.54
    assert _profit(warehouse, D3, "LP1", "ftp_profit_cny_m, economic_capital_cost_cny_m, int_income_cny, "
                                         "int_income_cny_m, delta_impairment_cny_m") == (
        Decimal("-10033.5616438358"), Decimal("76.7123287672"), Decimal("119.18"), Decimal("357.54"),
        Decimal("10000.00"))


def test_new_loan_counts_its_full_provision_on_its_first_day(warehouse: str) -> None:
    # LN1 opens on the 15th with 12 months to run: the CNY loan curve's 12-month point, 2.00 %.
    # 500,000 x (3.65 - 2.00) / 100 / 365 = 22.602739726027... -> 22.6027397260; capital 500,000 x 50 % x 8 % x 10 %
    # / 365 = 5.479452054794... -> 5.4794520548; full provision 7,500: 22.6027397260 - 7,500 - 0 - 5.4794520548
    # = -7,482.8767123288
    assert _profit(warehouse, D2, "LN1", "price_source, curve_rate, ftp_rate, " + LOAN) == (
        "CURVE", Decimal("2.000000"), Decimal("2.000000"),
        Decimal("7500.00"), Decimal("0.00"), Decimal("22.6027397260"), Decimal("5.4794520548"),
        Decimal("-7482.8767123288"))
    # 16th: 364 days = 11.967123 months, between 6 (1.85 %) and 12 (2.00 %): 1.85 + 0.15 x 5.967123 / 6
    # = 1.999178 %; 500,000 x 1.650822 / 100 / 365 = 825,411 / 36,500 = 22.614 exactly; capital under the new
    # policy 500,000 x 50 % x 10 % x 12 % / 365 = 8.219178082191... -> 8.2191780822; profit 14.3948219178
    assert _profit(warehouse, D3, "LN1", "curve_rate, " + LOAN) == (
        Decimal("1.999178"), Decimal("0.00"), Decimal("0.00"), Decimal("22.6140000000"), Decimal("8.2191780822"),
        Decimal("14.3948219178"))


def test_loan_opened_on_the_warehouses_first_day(warehouse: str) -> None:
    # LF1 opens on the 14th, the first day loaded: its provision counts in full that day (older loans
    # count no Δ that day). 100,000 x (4.00 - 2.50) / 100 / 365 = 4.109589041095... -> 4.1095890411; capital
    # 100,000 x 8 % x 10 % / 365 = 2.191780821917... -> 2.1917808219; 4.1095890411 - 3,000 - 2.1917808219
    # = -2,998.0821917808; then 4.1095890411 - 2.1917808219 = 1.9178082192, month to date -2,996.1643835616
    assert _profit(warehouse, D1, "LF1", "price_source, " + LOAN) == (
        "FEED", Decimal("3000.00"), Decimal("0.00"), Decimal("4.1095890411"), Decimal("2.1917808219"),
        Decimal("-2998.0821917808"))
    assert _profit(warehouse, D2, "LF1", "loan_profit_cny, ftp_profit_cny_m") == (
        Decimal("1.9178082192"), Decimal("-2996.1643835616"))


def test_every_account_day_has_a_profit_and_a_price_source(warehouse: str) -> None:
    with psycopg.connect(warehouse) as conn:
        accounts, profits, priced = conn.execute(
            "select (select count(*) from marts.fct_account_daily), count(*), "
            "count(*) filter (where price_source is not null and ftp_profit_cny is not null) "
            "from marts.fct_account_profit_daily").fetchone()
    assert accounts == profits == priced == 8 * 3 + 2  # DC1, DH1, DX1, LP1, LF1, LC1, LD1, LD2 3 days; LN1 2


def test_management_inputs_validate_product_lines_and_single_rows(warehouse: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        _import(tmp_path, "ftp_adjustment", "org_id,acct_type,product_line,effective_date,adjustment_bps,action",
                "0101,LOAN,SAVINGS_TIME,2026-01-01,5,")
    assert "row 2: product_line 'SAVINGS_TIME' is not ALL nor a LOAN product line" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        _import(tmp_path, "capital_policy", "effective_date,capital_ratio_pct,hurdle_rate_pct,action",
                "2026-04-01,8,10,", "2026-04-01,9,10,")
    assert "rows 2, 3 give the same set twice" in str(caught.value)


def _rows_of(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def test_fees_route_to_employee_account_owners_or_virtual_manager(warehouse: str) -> None:
    found = _rows_of(warehouse, "select txn_id, emp_id, owner_org_id, routing, share::numeric(5, 2), amount_cny, "
                                "alloc_amount_cny, is_assessed, exclusion_reason, assessed_amount_cny "
                                "from marts.fct_fee_allocations order by txn_id, emp_id")
    yes, no = True, False
    assert found == [
        ("F1", "E001", "0101", "EMP", Decimal("1.00"), Decimal("300.00"), Decimal("300.00"), yes, None,
         Decimal("300.00")),
        # 33.33 HKD x 0.91 = 30.3303 -> 30.33; E002 40 %: 12.132 -> 12.13; E001 (largest share) the rest 18.20
        ("F2", "E001", "0101", "ACCOUNT_OWNERS", Decimal("0.60"), Decimal("30.33"), Decimal("18.20"), yes, None,
         Decimal("18.20")),
        ("F2", "E002", "0102", "ACCOUNT_OWNERS", Decimal("0.40"), Decimal("30.33"), Decimal("12.13"), yes, None,
         Decimal("12.13")),
        ("F3", "V0102", "0102", "VIRTUAL", Decimal("1.00"), Decimal("60.00"), Decimal("60.00"), yes, None,
         Decimal("60.00")),
        ("F4", "E001", "0101", "EMP", Decimal("1.00"), Decimal("8000.00"), Decimal("8000.00"), no,
         "LN: income converted from loan interest", Decimal("0.00")),
        ("F5", "V0101", "0101", "VIRTUAL", Decimal("1.00"), Decimal("2500.00"), Decimal("2500.00"), no,
         "AC: acceptance fee", Decimal("0.00")),
        ("F6", "E001", "0101", "ACCOUNT_OWNERS", Decimal("1.00"), Decimal("100.00"), Decimal("100.00"), yes, None,
         Decimal("100.00")),
    ]
    assert _rows_of(warehouse, "select routed_acct_type from marts.fct_fee_allocations where txn_id = 'F6'") == [
        ("LOAN",)]


def test_international_settlement_counts_to_its_employee_else_the_virtual_manager(warehouse: str) -> None:
    assert _rows_of(warehouse, "select txn_id, emp_id, owner_org_id, routing, amount_cny "
                               "from marts.fct_intl_settlements order by txn_id") == [
        ("I1", "E001", "0101", "EMP", Decimal("9100.00")),  # 10,000 HKD x 0.91
        ("I2", "V0102", "0102", "VIRTUAL", Decimal("5000.00")),
    ]


def test_card_cancelled_after_issue_is_no_longer_an_effective_new_card(warehouse: str) -> None:
    flags = ("is_issued_today, is_activated_today, is_cancelled_today, is_issued_m, is_effective_new_m, "
             "is_effective_new_y")
    found = _rows_of(warehouse, f"select biz_date, card_no, {flags} from marts.fct_card_daily order by 1, 2")
    t, f = True, False
    assert found == [
        (D1, "K1", t, t, f, t, t, t),  # issued and activated on the 14th
        (D1, "K2", f, f, f, f, f, f),  # issued last year: never new this year
        (D2, "K1", f, f, f, t, t, t),
        (D2, "K2", f, f, f, f, f, f),
        (D2, "K3", t, f, f, t, f, f),  # issued but not activated (U): not effective
        (D3, "K1", f, f, t, t, f, f),  # cancelled on the 16th: issued this month, but no longer effective
        (D3, "K2", f, f, f, f, f, f),
        (D3, "K3", f, f, f, t, f, f),
    ]


def test_discount_profit_splits_by_bill_discount_balance(warehouse: str) -> None:
    # 0102's 1,000.00 of March: its bill discounts LD1 (E002, 300,000 a day) and LD2 (nobody's: V0102,
    # 100,000 a day) have month cumulatives 900,000 and 300,000 on the 16th: 75 % and 25 %
    assert _rows_of(warehouse, "select emp_id, discount_share::numeric(4, 2), discount_profit_cny "
                               "from marts.fct_discount_profit_monthly order by emp_id") == [
        ("E002", Decimal("0.75"), Decimal("750.00")), ("V0102", Decimal("0.25"), Decimal("250.00"))]


def test_bill_discounts_earn_no_ftp_profit_only_discount_profit(warehouse: str) -> None:
    # rules.md, spec 1.1.3: LD1 (300,000 at 1.50 %, loan_method D) is priced at its own rate, its interest goes to
    # head office in full as transfer expense (300,000 x 1.50 / 100 / 365 = 12.328767123287... -> 12.3287671233),
    # no capital cost, profit 0 every day
    assert _profit(warehouse, D3, "LD1", "price_source, ftp_rate, interest_margin_cny, transfer_expense_cny, "
                                         "economic_capital_cost_cny, loan_profit_cny, ftp_profit_cny_m") == (
        "DISCOUNT", Decimal("1.500000"), Decimal("0"), Decimal("12.3287671233"), Decimal("0"), Decimal("0"),
        Decimal("0"))
    # E002 owns LD1 (bill discount) and LF1: the month's loan profit LOAN_FTP_PROFIT_M reads is LF1's alone,
    # -2,998.0821917808 + 1.9178082192 + (16th, capital under the 10 % / 12 % policy: 100,000 x 10 % x 12 % / 365
    # = 3.2876712329) 4.1095890411 - 3.2876712329 = 0.8219178082: -2,995.3424657534 (-2,995.34 to the fen)
    assert _rows_of(warehouse, "select loan_profit_cny_m, transfer_expense_cny_m from marts.mart_subject_profit_daily "
                               f"where biz_date = '{D3}' and subject_id = 'E002'") == [
        # transfer expense: LF1 3 x 100,000 x 2.50 / 100 / 365 = 3 x 6.8493150685, LD1 3 x 12.3287671233
        (Decimal("-2995.3424657534"), Decimal("57.5342465754"))]
    # its rediscount income goes to discount profit (750.00 of 0102's 1,000.00: test_discount_profit_splits...)
    assert _rows_of(warehouse, "select sum(loan_profit_cny_m) from marts.mart_subject_profit_daily "
                               f"where biz_date = '{D3}' and subject_id = 'V0102'") == [(Decimal("0E-10"),)]


def test_employee_profit_is_profit_less_allocated_cost(warehouse: str) -> None:
    columns = ("deposit_profit_cny, loan_profit_cny, discount_profit_cny, fee_income_cny, gross_profit_cny, "
               "marketing_cost_cny, allocated_cost_cny, employee_profit_cny")
    # Exact through the shares, rounded once in this month statement (re-derived when rounding moved to what users
    # see). E001: DH1 60 % of 3.7895890411, 3.7786590685, 3.7677290959 - E002's 40 % rounded at 10 decimals
    # (1.5158356164, 1.5114636274, 1.5070916384), E001 the rest: 2.2737534247 + 2.2671954411 + 2.2606374575
    # = 6.8015863233 -> 6.80; LP1 -10,033.5616438358 and LN1 -7,482.8767123288 + 14.3948219178: -17,502.0435342468
    # -> -17,502.04 (the days rounded first gave -17,502.07); fees F1 300 + F2 18.20 + F6 100 = 418.20 (F4 not
    # assessed); gross -17,077.0419479235 -> -17,077.04: no marketing cost on a loss, base 1,000: -18,077.04
    assert _rows_of(warehouse, f"select {columns} from marts.mart_employee_profit_monthly where emp_id = 'E001'") == [
        (Decimal("6.80"), Decimal("-17502.04"), Decimal("0.00"), Decimal("418.20"), Decimal("-17077.04"),
         Decimal("0.00"), Decimal("1000.00"), Decimal("-18077.04"))]
    # E003 owns LC1: 2.00 + 2.00 - 2.00 = 2.00; marketing 10 % = 0.20, base 0.50: 2.00 - 0.70 = 1.30
    assert _rows_of(warehouse, f"select {columns} from marts.mart_employee_profit_monthly where emp_id = 'E003'") == [
        (Decimal("0.00"), Decimal("2.00"), Decimal("0.00"), Decimal("0.00"), Decimal("2.00"), Decimal("0.20"),
         Decimal("0.70"), Decimal("1.30"))]


EVA_WAREHOUSE = ("transfer_income_cny, transfer_expense_cny, economic_capital_cost_cny, moved_unassigned_profit_cny, "
                 "managers_profit_cny, simulated_profit_deduction_cny, eva_cny")


def test_sub_branch_eva_with_every_term(warehouse: str) -> None:
    # 0101's books, 14-16 March, every term exact and EVA rounded once (re-derived when rounding moved to what
    # users see). Transfer income: DH1 182,000 x 2.96 % / 365 = 14.7594520548, then x 2.957808 % = 14.7485220822,
    # x 2.955616 % = 14.7375921096, DX1 3 x 25.00: 119.2455662466 -> 119.25. Transfer expense: LP1 3 x
    # 54.7945205479, LN1 27.3972602740 + 27.3860000000, LC1 3 x 30.00: 309.1668219177 -> 309.17. Capital: LP1
    # 21.9178082192 x 2 + 32.8767123288, LN1 5.4794520548 + 8.2191780822, LC1 8 + 8 + 12: 118.4109589042 -> 118.41.
    # Moved to corporate department 0103 unassigned: DX1 3 x 20.00 = 60.00. Managers' simulated profit: E001's
    # 6.8015863233 - 17,502.0435342468 = -17,495.2419479235. Deduction (60 - 17,495.2419479235) x 90 %
    # = -15,691.7177531312 -> -15,691.72. EVA = 100,000 - 2,000 - 3,000 - (4,000 - 1,500) + (119.2455662466
    # - 309.1668219177) - 20,000 - 5,000 - 118.4109589042 - 600 + 15,691.7177531312 - 700 - 800 - 900 + 1,000
    # + 250 = 81,133.3855385559 -> 81,133.39
    assert _rows_of(warehouse, f"select eva_type, has_finance_terms, {EVA_WAREHOUSE} from marts.mart_eva_monthly "
                               "where org_id = '0101'") == [
        ("SUB_BRANCH", True, Decimal("119.25"), Decimal("309.17"), Decimal("118.41"), Decimal("60.00"),
         Decimal("-17495.24"), Decimal("-15691.72"), Decimal("81133.39"))]


def test_corporate_department_eva_with_every_term(warehouse: str) -> None:
    # 0103 through its owners: DX1 (its virtual manager) transfer income 75.00; LC1 (E003) transfer expense
    # 90.00, capital 28.00, managers' profit 2.00 -> deduction 1.80.
    # EVA = 5,000 + 1,200 - 300 - 800 + (75.00 - 90.00) - 1.80 - 2,000 - 100 - 28.00 - 50 - 20 = 2,885.20
    assert _rows_of(warehouse, f"select eva_type, {EVA_WAREHOUSE} from marts.mart_eva_monthly "
                               "where org_id = '0103'") == [
        ("CORPORATE_DEPARTMENT", Decimal("75.00"), Decimal("90.00"), Decimal("28.00"), Decimal("0.00"),
         Decimal("2.00"), Decimal("1.80"), Decimal("2885.20"))]


def test_manual_profit_adjustments_and_branch_eva(warehouse: str, tmp_path: Path) -> None:
    """Manual profit adjustments (spec 2.3(5)) of a manager and of institutions, and branch EVA (spec 2.1.2):
    the units' EVA rolled up the tree plus the branch's own terms. Views: the imports act at once."""
    _import(tmp_path, "profit_adjustment", "subject_type,subject_id,month,item_code,amount_cny,note,action",
            "EMP,E001,2026-03-01,DEAL_BONUS,500.00,won the payroll account of C002,",
            "ORG,0101,2026-03-01,PENALTY,-1000.00,compliance finding,",
            "ORG,0100,2026-03-01,PENALTY,-500.00,late reporting,")
    # the branch's own books: report profit 10,000, expenses 3,000, regulatory fee 200, other -100
    _import(tmp_path, "eva_finance_terms", EVA_HEADER, "0100,2026-03-01,10000,,,,,3000,,200,,,,,,,,,-100,")
    # E001: -18,077.04 (test_employee_profit_is_profit_less_allocated_cost) + 500.00; gross profit unchanged
    assert _rows_of(warehouse, "select gross_profit_cny, manual_adjustment_cny, employee_profit_cny from "
                               "marts.mart_employee_profit_monthly where emp_id = 'E001'") == [
        (Decimal("-17077.04"), Decimal("500.00"), Decimal("-17577.04"))]
    # 0101: 81,133.39 (test_sub_branch_eva_with_every_term) - 1,000.00
    assert _rows_of(warehouse, "select manual_adjustment_cny, eva_cny from marts.mart_eva_monthly "
                               "where org_id = '0101'") == [(Decimal("-1000.00"), Decimal("80133.39"))]
    units = dict(_rows_of(warehouse, "select org_id, eva_cny from marts.mart_eva_monthly"))
    branch = _rows_of(warehouse, "select org_id, org_type, unit_count, units_eva_cny, own_terms_cny, eva_cny "
                                 "from marts.mart_branch_eva_monthly order by org_id")
    # own terms of 0100: 10,000 - 3,000 - 200 - 100 - 500 = 6,200; its units are 0101 and 0102; the head
    # office's are every unit (0101, 0102 through the branch, 0103 directly) and it has no own terms
    assert branch == [
        ("0001", "HO", 3, units["0101"] + units["0102"] + Decimal("2885.20"), Decimal("0.00"),
         units["0101"] + units["0102"] + Decimal("2885.20")),
        ("0100", "BR", 2, units["0101"] + units["0102"], Decimal("6200.00"),
         units["0101"] + units["0102"] + Decimal("6200.00")),
    ]
    # every version is kept: withdrawing the adjustments restores the figures, the history has both
    _import(tmp_path, "profit_adjustment", "subject_type,subject_id,month,item_code,amount_cny,note,action",
            "EMP,E001,2026-03-01,DEAL_BONUS,500.00,withdrawn,RETIRE",
            "ORG,0101,2026-03-01,PENALTY,-1000.00,withdrawn,RETIRE",
            "ORG,0100,2026-03-01,PENALTY,-500.00,withdrawn,RETIRE")
    assert _rows_of(warehouse, "select eva_cny from marts.mart_eva_monthly where org_id = '0101'") == [
        (Decimal("81133.39"),)]
    assert _rows_of(warehouse, "select count(*) from control.profit_adjustments_history "
                               "where set_key = 'EMP|E001|2026-03-01|DEAL_BONUS'") == [(2,)]


def test_month_statements_are_indicators_on_the_months_last_built_day(warehouse: str) -> None:
    """EVA, employee and discount profit as catalogue indicators: once a month, on its last built day."""
    statements = ("'EVA_M', 'EVA_Y', 'EMP_PROFIT_M', 'EMP_PROFIT_Y', 'EMP_GROSS_PROFIT_M', 'EMP_GROSS_PROFIT_Y', "
                  "'DISCOUNT_PROFIT_M', 'DISCOUNT_PROFIT_Y'")
    values = dict(((subject, code), value) for subject, code, value in _rows_of(
        warehouse, "select subject_id, indicator_code, indicator_value from marts.fct_indicator_value_monthly "
                   f"where biz_date = %s and caliber = 'ASSESSMENT' and indicator_code in ({statements})", (D3,)))
    # the figures of the monthly marts (hand-computed in the tests above); March is the year's only month
    assert values["0101", "EVA_M"] == values["0101", "EVA_Y"] == Decimal("81133.390000")
    assert values["0103", "EVA_M"] == Decimal("2885.200000")
    assert values["E001", "EMP_PROFIT_M"] == values["E001", "EMP_PROFIT_Y"] == Decimal("-18077.040000")
    assert values["E001", "EMP_GROSS_PROFIT_M"] == Decimal("-17077.040000")
    assert values["E003", "EMP_PROFIT_Y"] == Decimal("1.300000")
    assert values["E002", "DISCOUNT_PROFIT_M"] == Decimal("750.000000")
    assert values["V0102", "DISCOUNT_PROFIT_Y"] == Decimal("250.000000")
    assert values["E002", "EMP_PROFIT_M"] == Decimal("750.000000") + _rows_of(
        warehouse, "select deposit_profit_cny + loan_profit_cny + fee_income_cny - allocated_cost_cny "
                   "from marts.mart_employee_profit_monthly where emp_id = 'E002'")[0][0]
    # every subject has them: 3 employees and 5 virtual managers x 6 employee indicators; the sub-branches
    # 0101, 0102 and corporate department 0103 x 2 EVA indicators (not the head office or the branch)
    assert len(values) == 8 * 6 + 3 * 2
    assert values["E003", "DISCOUNT_PROFIT_M"] == Decimal("0")
    # month statements exist on the month's last built day only
    assert _rows_of(warehouse, "select distinct biz_date, month_start from marts.fct_indicator_value_monthly") == [
        (D3, dt.date(2026, 3, 1))]


def test_cards_count_to_their_owners_by_share(warehouse: str) -> None:
    # K1 (E001's) is an effective new card of the year on the 14th and 15th, not after its cancellation
    assert _rows_of(warehouse, "select biz_date, emp_id, share::numeric(3, 2), effective_new_y_count::numeric(3, 2), "
                               "issued_m_count::numeric(3, 2) from marts.fct_card_allocations_daily "
                               "where card_no = 'K1' order by biz_date") == [
        (D1, "E001", Decimal("1.00"), Decimal("1.00"), Decimal("1.00")),
        (D2, "E001", Decimal("1.00"), Decimal("1.00"), Decimal("1.00")),
        (D3, "E001", Decimal("1.00"), Decimal("0.00"), Decimal("1.00")),
    ]


def test_subject_figures_in_both_calibers(warehouse: str) -> None:
    columns = ("deposit_profit_cny_m, loan_profit_cny_m, fee_income_cny_m, fee_unassessed_cny_y, "
               "intl_settlement_cny_y, effective_new_y_count::numeric(3, 2)")
    # E001 on the 16th: the month's exact figures of the employee profit test (6.8015863233, -17,502.0435342468);
    # F4 8,000 not assessed; I1 9,100; K1 cancelled, K2 issued last year: no effective new card
    assert _rows_of(warehouse, f"select {columns} from marts.mart_subject_profit_daily where biz_date = '{D3}' "
                               "and subject_id = 'E001'") == [
        (Decimal("6.8015863233"), Decimal("-17502.0435342468"), Decimal("418.20"), Decimal("8000.00"),
         Decimal("9100.00"), Decimal("0.00"))]
    # the head office: every figure equal in both calibers, and equal to the bank's accounts
    both = _rows_of(warehouse, "select caliber, deposit_profit_cny_y, loan_profit_cny_y, fee_income_cny_y, "
                               "effective_new_m_count::numeric(3, 2) from marts.mart_subject_profit_daily "
                               f"where biz_date = '{D2}' and subject_id = '0001' order by caliber")
    accounts = _rows_of(warehouse, "select sum(ftp_profit_cny_y) filter (where acct_type = 'DEP'), "
                                   "sum(ftp_profit_cny_y) filter (where acct_type = 'LOAN') "
                                   f"from marts.fct_account_profit_daily where biz_date = '{D2}'")[0]
    assert both[0][1:] == both[1][1:]
    assert both[0][1:3] == accounts
    # fees of the 14th: 300 + 30.33 + 60 + 100 assessed (F4 and F5 are not); K1 on the 15th
    assert both[0][3:] == (Decimal("490.33"), Decimal("1.00"))


def test_one_window_over_several_days_equals_day_by_day_runs(warehouse: str) -> None:
    """Last in the module: rebuilds the profit tables (14th alone, then the 15th-16th in one window)."""
    tables = {"fct_account_profit_daily": 4, "fct_fee_allocations": 3, "fct_profit_owner_daily": 4,
              "mart_subject_profit_daily": 4, "mart_profit_owner_monthly": 4, "fct_card_allocations_daily": 3,
              MONTH_STATEMENTS: 5}

    def snapshot() -> dict[str, list[tuple]]:
        return {table: _rows_of(warehouse, f"select * from marts.{table} order by "
                                           + ", ".join(str(n) for n in range(1, key + 1)))
                for table, key in tables.items()}

    day_by_day = snapshot()
    workdir = WORKDIRS[warehouse]
    _dbt(workdir, D1, D1, "--select", f"{PROFIT},tag:daily", MONTH_STATEMENTS, "--indirect-selection", "cautious",
         "--full-refresh")
    _dbt(workdir, D2, D3, "--select", f"{PROFIT},tag:daily", MONTH_STATEMENTS, "--indirect-selection", "cautious")
    assert snapshot() == day_by_day
