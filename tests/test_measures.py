"""The requirement's remaining measures (issue 16) on a hand-built bank, through the real loaders, the
real management-input imports and one real dbt build over two days.

The bank: head office 0001; branch 0100 with sub-branches 0101 and 0102; corporate department 0103
under the head office. Account managers E1 (0101), E2 (0102), E3 (0103). Days 1, 2 and 3 January 2026.

- DA1 demand savings of P1 at 0101, 1,000.00, REL E1; behind debit card K1 (active)
- DA2 time savings of P1 at 0101, 5,000.00, pledged, REL E1 60 % / E2 40 %
- DB1 savings of P2 at 0101, 2,000.00, pledged, REL E2; behind credit card K2 (no card deposit)
- DC1 corporate deposit of C1 at 0103, 10,000.00, REL E3
- LB1 mortgage loan (M) of P2 at 0101, 50,000.00, REL E2: so DB1 is a mortgaged deposit
- LA1 credit loan of P1 at 0101, 3,000.00 on 1 Jan, repaid and closed on 2 Jan, REL E1
- 2 Jan: fee F1 of E1 at 0101, fee F2 on DB1 without an employee (DB1's owner E2), settlement I1 of E3
- key customers (imported before the build): P1 KEY from 2 Jan; C1 STRATEGIC from 1 Jan
- DC1 was referred to 0103 by sub-branch 0101, which keeps 30 % (a referral agreement from 1 Jan)
- 3 Jan: E3 moves to 0101 carrying all (transfer_decision ALL); the move pays 1.5 % to 0103; an override
  gives DA1's stock (fixed base 600) to sub-branch 0102 itself (its public owner V0102), the increment to E1

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

from bankperf.manage import commands
from bankperf.manage.validate import ValidationError
from loaders.load import load_date
from tests.dbt_runs import BUILD, run_dbt
from tests.deliveries import gl_lines, write_day

D1, D2, D3 = dt.date(2026, 1, 1), dt.date(2026, 1, 2), dt.date(2026, 1, 3)


def _rows(day: dt.date) -> dict[str, list[str]]:
    deposits = [
        "0101|DA1|0001|P1|活期|CNY|1000.00|2011|N|20250101||20250101|99991231|CUR|0.300000|GEN|0|",
        "0101|DA2|0001|P1|定期|CNY|5000.00|2012|N|20250101||20250101|20261231|Y01|1.500000|GEN|1|",
        "0101|DB1|0001|P2|活期|CNY|2000.00|2011|N|20250101||20250101|99991231|CUR|0.300000|GEN|1|",
        "0103|DC1|0001|C1|对公|CNY|10000.00|2001|N|20250101||20250101|99991231|CUR|0.300000|GEN|0|",
    ]
    la1 = ("3000.00|1301|N|20250101|" if day == D1 else "0.00|1301|C|20250101|20260102")
    loans = [
        "0101|LB1|0001|P2|住房贷款|CNY|50000.00|1305|N|20250101||20250101|20450101|Y05|3.950000|H1|M|1"
        "|0.00|0.00|0.00|50|0|",
        f"0101|LA1|0001|P1|信用贷款|CNY|{la1}|20250101|20270101|Y01|4.350000|H2|C|1|0.00|0.00|0.00|100|0|",
    ]
    return {
        "ORG": ["0001|总行||1|HO|A|19970101", "0100|一分行|0001|2|BR|A|19980301",
                "0101|一支行|0100|3|SB|A|19980301", "0102|二支行|0100|3|SB|A|19980301",
                "0103|公司部|0001|3|CD|A|19980301"],
        "EMP": ["E1|甲|0101|CM|A|20150701|", "E2|乙|0102|CM|A|20150701|",
                f"E3|丙|{'0101' if day == D3 else '0103'}|CM|A|20150701|"],
        "CUST": ["P1|个人一|P||0||||0101", "P2|个人二|P||0||||0101", "C1|公司一|C||0||||0103"],
        "FX": ["CNY|人民币|1.000000|360|365"],
        "DEP": deposits,
        "LOAN": loans,
        "GL": gl_lines(deposits, loans),
        "REL": ["DEP|DA1|0001|E1|100.00|20250101|", "DEP|DA2|0001|E1|60.00|20250101|",
                "DEP|DA2|0001|E2|40.00|20250101|", "DEP|DB1|0001|E2|100.00|20250101|",
                "DEP|DC1|0001|E3|100.00|20250101|", "LOAN|LB1|0001|E2|100.00|20250101|",
                "LOAN|LA1|0001|E1|100.00|20250101|"],
        "CARD": ["K1|0101|P1|DA1|D|N|20250101|20250101||E1", "K2|0101|P2|DB1|C|N|20250101|20250101||E2"],
        "FEE": ["F1|20260102|0101|P1|||RETAIL|RT01|CNY|10.00|E1",
                "F2|20260102|0101|P2|DB1|0001|RETAIL|RT02|CNY|20.00|"] if day == D2 else [],
        "INTL": ["I1|20260102|0103|C1|E3|EXP|CNY|500.00"] if day == D2 else [],
    }


def _import(workdir: Path, name: str, kind: str, text: str) -> str:
    path = workdir / name
    path.write_text(text, encoding="utf-8")
    return commands.import_file(kind, path, by="office.chen", reason="test set-up")


def _rows_of(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def bank(fresh_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    workdir = tmp_path_factory.mktemp("measures")
    inbox = workdir / "inbox"
    for day in (D1, D2, D3):
        write_day(inbox, day, _rows(day))
        result = load_date(inbox, day, quiet=True)
        assert result.ok, result.errors()
    _import(workdir, "key.csv", "key_customer", "cust_id,effective_date,end_date,key_class,note,action\n"
            "P1,2026-01-02,,KEY,payroll partner,\nC1,2026-01-01,,STRATEGIC,group account,\n")
    # DC1, booked at the corporate department, was referred to it by sub-branch 0101, which keeps 30 %
    _import(workdir, "referral.csv", "referral", "acct_type,acct_no,sub_acct_no,effective_date,end_date,"
            "referring_org_id,department_org_id,referrer_share_pct,note,action\n"
            "DEP,DC1,0001,2026-01-01,,0101,0103,30,group referral,\n")
    # E3 moves from corporate department 0103 to sub-branch 0101 on 3 Jan and carries everything; 0101 pays
    # 0103 1.5 % of the no-loan customers' deposits carried
    _import(workdir, "move.csv", "transfer_decision", "emp_id,transfer_date,carry_mode,acct_type,acct_no,sub_acct_no,"
            "action\nE3,2026-01-03,ALL,,,,\n")
    # from 3 Jan DA1's stock (a fixed base of 600) belongs to sub-branch 0102 itself, its increment to E1
    _import(workdir, "split.csv", "ownership_override", "acct_type,acct_no,sub_acct_no,effective_date,end_date,"
            "split_type,portion,emp_id,share_pct,is_lead,stock_base,stock_base_amount,threshold_amount,action\n"
            "DEP,DA1,0001,2026-01-03,,STOCK_INCREMENT,STOCK,V0102,100,0,FIXED,600,,\n"
            "DEP,DA1,0001,2026-01-03,,STOCK_INCREMENT,INCREMENT,E1,100,1,FIXED,600,,\n")
    _import(workdir, "move_payment.csv", "manager_move_payment", "emp_id,transfer_date,payment_rate_pct,note,action\n"
            "E3,2026-01-03,1.5,moved with C1,\n")
    command = [*BUILD, "--vars", json.dumps({"min_date": D1.isoformat(), "max_date": D3.isoformat()}),
               "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")]
    result = run_dbt(command)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    yield fresh_db, workdir


MEASURES = ("card_deposit_balance_cny, pledged_deposit_balance_cny, mortgaged_deposit_balance_cny, "
            "key_customer_deposit_balance_cny, key_customer_loan_balance_cny, no_credit_deposit_balance_cny_m, "
            "no_credit_deposit_balance_cny_y, customer_count, deposit_account_count, loan_account_count, "
            "transaction_count")


def _measures(url: str, subject: str, caliber: str = "ASSESSMENT", day: dt.date = D2) -> tuple:
    found = _rows_of(url, f"select {MEASURES} from marts.mart_subject_measures_daily where biz_date = %s "
                          "and subject_id = %s and caliber = %s", (day, subject, caliber))
    assert len(found) == 1, (subject, caliber, day, found)
    return tuple(found[0])


def _money(*values: str) -> tuple:
    return tuple(Decimal(value) for value in values)


def test_classifications_of_deposits(bank: tuple[str, Path]) -> None:
    url, _ = bank
    found = _rows_of(url, "select acct_no, classification from marts.fct_account_classifications_daily "
                          "where biz_date = %s order by 1, 2", (D2,))
    # DA1 behind debit card K1; DA2 pledged (P1 has no mortgage); DB1 pledged and P2 has the mortgage LB1
    # (its credit card K2 makes no card deposit)
    assert found == [("DA1", "CARD_DEPOSIT"), ("DA2", "PLEDGED_DEPOSIT"), ("DB1", "MORTGAGED_DEPOSIT")]


def test_manager_measures(bank: tuple[str, Path]) -> None:
    url, _ = bank
    # E1, 2 Jan: card DA1 1,000; pledged DA2 60 % of 5,000 = 3,000; key customer P1 (from 2 Jan): DA1 1,000 +
    # DA2 3,000 = 4,000, its loan LA1 is repaid (0); P1 had credit (LA1 on 1 Jan) this month and year: no
    # no-credit deposits; one customer (P1), two deposit accounts, LA1 closed: no loan account; fee F1
    assert _measures(url, "E1") == (*_money("1000", "3000", "0", "4000", "0", "0", "0"), 1, 2, 0, 1)
    # 1 Jan: P1 not yet a key customer; LA1 open with 3,000
    assert _measures(url, "E1", day=D1) == (*_money("1000", "3000", "0", "0", "0", "0", "0"), 1, 2, 1, 0)
    # E2: pledged DA2 40 % = 2,000; mortgaged DB1 2,000; customers P1 and P2; DA2, DB1; LB1; fee F2 through DB1
    assert _measures(url, "E2") == (*_money("0", "2000", "2000", "2000", "0", "0", "0"), 2, 2, 1, 1)
    # E3: C1 (strategic key customer, never any credit): DC1 10,000 both ways; settlement I1
    assert _measures(url, "E3") == (*_money("0", "0", "0", "10000", "0", "10000", "10000"), 1, 1, 0, 1)


def test_institution_measures_both_calibers(bank: tuple[str, Path]) -> None:
    url, _ = bank
    # 0101 assessment = E1's (E2 belongs to 0102): as E1
    assert _measures(url, "0101") == (*_money("1000", "3000", "0", "4000", "0", "0", "0"), 1, 2, 0, 1)
    # 0101 accounting = what it opened: DA1, DA2, DB1, LB1 (LA1 closed): card 1,000, pledged 5,000, mortgaged
    # 2,000, key P1's 6,000; customers P1, P2; F1 and F2 are on its record
    assert _measures(url, "0101", "ACCOUNTING") == (
        *_money("1000", "5000", "2000", "6000", "0", "0", "0"), 2, 3, 1, 2)
    # branch 0100 (E1 and E2): DA2 shared by both counts once; customers P1, P2
    assert _measures(url, "0100") == (*_money("1000", "5000", "2000", "6000", "0", "0", "0"), 2, 3, 1, 2)
    # head office, both calibers: everything; key customers P1 6,000 + C1 10,000; no credit: C1 only
    for caliber in ("ASSESSMENT", "ACCOUNTING"):
        assert _measures(url, "0001", caliber) == (
            *_money("1000", "5000", "2000", "16000", "0", "10000", "10000"), 3, 4, 1, 3)


def test_measures_are_indicators(bank: tuple[str, Path]) -> None:
    url, _ = bank
    values = dict(_rows_of(url, "select indicator_code, value from marts.mart_indicator_value where biz_date = %s "
                                "and subject_id = 'E1' and caliber = 'ASSESSMENT'", (D2,)))
    assert values["CARD_DEP_BAL"] == Decimal("1000")
    assert values["CARD_DEP_INC_Y"] == Decimal("1000")  # nothing on the previous year-end (before history)
    assert values["PLEDGED_DEP_BAL"] == Decimal("3000") and values["KEY_CUST_DEP_BAL"] == Decimal("4000")
    assert values["CUST_COUNT"] == Decimal("1") and values["TXN_COUNT"] == Decimal("1")
    # the older "no loan balance that day" indicator counts P1 (LA1 repaid) on 2 Jan; the period one does not
    assert values["NO_LOAN_CUST_DEP_BAL"] == Decimal("4000") and values["NO_CREDIT_CUST_DEP_Y"] == Decimal("0")
    shown = _rows_of(url, "select indicator_code, is_assessed from marts.dim_scheme_indicators where "
                          "indicator_code in ('CUST_COUNT', 'TXN_COUNT', 'CARD_DEP_BAL') order by 1")
    assert shown == [("CARD_DEP_BAL", True), ("CUST_COUNT", False), ("TXN_COUNT", False)]  # counts: shown, not paid


def test_key_customer_contribution(bank: tuple[str, Path]) -> None:
    url, workdir = bank
    # P1 is a key customer from 2 Jan; C1 is a corporate department's customer (opened at 0103): excluded
    found = _rows_of(url, "select biz_date, cust_id, key_class, deposit_balance_cny from "
                          "marts.rpt_key_customer_contribution order by 1, 2")
    assert found == [(D2, "P1", "KEY", Decimal("6000.00")), (D3, "P1", "KEY", Decimal("6000.00"))]
    # the classification is kept with history and acts at once in the query: withdrawn, P1 is gone
    _import(workdir, "key_retire.csv", "key_customer", "cust_id,effective_date,end_date,key_class,note,action\n"
            "P1,2026-01-02,,KEY,payroll partner,RETIRE\n")
    assert _rows_of(url, "select count(*) from marts.rpt_key_customer_contribution") == [(0,)]
    history = _rows_of(url, "select action from control.key_customers_history where cust_id = 'P1' order by version_id")
    assert history == [(None,), ("RETIRE",)]


def test_payment_to_the_old_institution_when_a_manager_moves(bank: tuple[str, Path]) -> None:
    url, _ = bank
    # E3 carried DC1 (C1, no credit this year): 10,000 x 1.5 % = 150.00, paid by 0101 to 0103
    assert _rows_of(url, "select payee_org_id, payer_org_id, is_transfer, carried_no_credit_deposit_cny, "
                         "payment_cny from marts.mart_manager_move_payments") == [
        ("0103", "0101", True, Decimal("10000.00"), Decimal("150.00"))]


def test_a_split_gives_a_portion_to_an_institution(bank: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = bank
    owners = _rows_of(url, "select emp_id, portion, owner_org_id, alloc_balance_cny from marts.fct_account_owner_daily "
                           "where biz_date = %s and acct_no = 'DA1' order by emp_id, portion", (D3,))
    # DA1 1,000: stock min(1,000, 600) = 600 to 0102's public owner, increment 400 to E1 (his former
    # whole-account share stays as a zero ENDED row, so period sums still add up)
    assert owners == [("E1", "ALL", "0101", Decimal("0.00")), ("E1", "INCREMENT", "0101", Decimal("400.00")),
                      ("V0102", "STOCK", "0102", Decimal("600.00"))]
    # the card deposit follows: E1 400; sub-branch 0102 (assessment) 600 through its public owner, plus nothing else
    assert _measures(url, "E1", day=D3)[0] == Decimal("400.00")
    assert _measures(url, "0102", day=D3)[0] == Decimal("600.00")
    # an institution may own a portion but not lead it; and it must exist
    bad = tmp_path / "bad_split.csv"
    bad.write_text("acct_type,acct_no,sub_acct_no,effective_date,end_date,split_type,portion,emp_id,share_pct,is_lead,"
                   "stock_base,stock_base_amount,threshold_amount,action\n"
                   "DEP,DA2,0001,2026-01-03,,ALL,ALL,V0101,100,1,,,,\n"
                   "DEP,DB1,0001,2026-01-03,,ALL,ALL,V0999,100,0,,,,\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        commands.import_file("ownership_override", bad, by="office.chen", reason="test")
    message = str(caught.value)
    assert "row 2: V0101 is an institution's public owner (virtual manager): it may take a share" in message
    assert "row 3, column emp_id: virtual manager 'V0999': institution '0999' is not in the ORG feed" in message


def test_referred_business_and_business_outside_the_territory(bank: tuple[str, Path]) -> None:
    url, _ = bank
    # DC1 10,000 (year average on 2 Jan: (10,000 + 10,000) / 2 = 10,000): 30 % to 0101, 70 % to 0103
    assert _rows_of(url, "select booking_org_id, referring_org_id, department_org_id, balance_cny, "
                         "referrer_balance_cny, department_balance_cny, referrer_avg_balance_cny_y "
                         "from marts.rpt_referred_business where biz_date = %s", (D2,)) == [
        ("0103", "0101", "0103", Decimal("10000.00"), Decimal("3000.00"), Decimal("7000.00"), Decimal("3000.000000"))]

    def listed(subject: str, caliber: str = "ASSESSMENT", day: dt.date = D2) -> tuple:
        return tuple(_rows_of(url, "select out_of_territory_deposit_balance_cny, out_of_territory_loan_balance_cny, "
                                   "referred_deposit_balance_cny from marts.mart_subject_measures_daily where "
                                   "biz_date = %s and subject_id = %s and caliber = %s", (day, subject, caliber))[0])

    # E2 (at 0102) owns DA2 40 % = 2,000, DB1 2,000 and LB1 50,000, all booked at 0101: outside his territory,
    # and outside 0102's; inside the branch 0100's
    assert listed("E2") == listed("0102") == (Decimal("4000.00"), Decimal("50000.00"), Decimal("0.00"))
    assert listed("0100") == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    assert listed("E1") == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    # the referred DC1 is E3's and the department's, kept apart; the accounting caliber has no territory
    assert listed("E3") == listed("0103") == (Decimal("0.00"), Decimal("0.00"), Decimal("10000.00"))
    assert listed("0001", "ACCOUNTING") == (Decimal("0.00"), Decimal("0.00"), Decimal("10000.00"))
    # 3 Jan: E3 now at 0101 carries DC1, booked at 0103: outside his territory
    assert listed("E3", day=D3) == (Decimal("10000.00"), Decimal("0.00"), Decimal("10000.00"))
