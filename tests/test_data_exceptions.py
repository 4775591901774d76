"""Dirty-but-legal days run green through the real nightly job, publish, and list every exception.

The last ten days of February 2026 (19 .. 28: the warehouse's history starts on the 19th) of a tiny bank,
delivered as real files and run as one ``bankperf run`` (the
Dagster job ``nightly``: loads, great-expectations checks, one dbt build, publication). Every line
follows the interface contract, and the descriptive feeds hold what a real bank's do every night
(``shared/interface/README.md``):

- DC9 closes on 27 February (status C, balance 0) and leaves the ledger on the 28th; REL and FTP
  still list it, and a fee of the 28th names it;
- DN1 enters the ledger on the 28th, but its relation to E001 was entered from the 20th;
- DL1 is related in REL to E002, who left in January (status L).

By the severity policy these are warnings: the run publishes every date, and
``published.rpt_data_exceptions`` says what was found and what the warehouse did, day by day.

DK1, E003's only account, is a constant deposit all along (1,000,000 CNY at 0.30 %, FTP price 2.30 %):
its month-to-date FTP profit on the 28th (the month so far is the warehouse's ten days) must be
balance x spread x days / basis to the fen, 1,000,000 x 2.00 % x 10 / 365 = 547.945205... -> 547.95.
Rounding each day to the fen first would give 10 x 54.79 = 547.90. (Ten days prove what the whole
month did, at a third of the nightly run's per-date cost.)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from bankperf import cli
from bankperf.summary import summary
from tests.deliveries import gl_lines, write_day

pytestmark = pytest.mark.slow

FIRST, LAST = dt.date(2026, 2, 19), dt.date(2026, 2, 28)
DAYS = [FIRST + dt.timedelta(days=offset) for offset in range((LAST - FIRST).days + 1)]
CLOSED, REL_FROM, OPENED = dt.date(2026, 2, 27), dt.date(2026, 2, 20), dt.date(2026, 2, 28)


@pytest.fixture(scope="module")
def dbt_parse_vars(fresh_db: str) -> dict[str, str]:
    """The run's window, so the run reuses the module's parse (conftest.dagster_home)."""
    return {"min_date": FIRST.isoformat(), "max_date": LAST.isoformat()}


def _deposit(acct: str, balance: str, status: str = "N", open_date: str = "20200101", close_date: str = "",
             mgr: str = "E001") -> str:
    """A CNY demand-savings line (18 fields) of customer C001 at 0101, 0.30 %."""
    return (f"0101|{acct}|0001|C001|活期储蓄|CNY|{balance}|2011|{status}|{open_date}|{close_date}|{open_date}|"
            f"99991231|CUR|0.300000|GEN|0|{mgr}")


def _rows(day: dt.date) -> dict[str, list[str]]:
    deposits = [_deposit("DK1", "1000000.00", mgr="E003"), _deposit("DL1", "2000.00")]
    if day < CLOSED:
        deposits.append(_deposit("DC9", "5000.00"))
    elif day == CLOSED:  # closed: once with status C and balance 0, then absent
        deposits.append(_deposit("DC9", "0.00", status="C", close_date=f"{CLOSED:%Y%m%d}"))
    if day >= OPENED:
        deposits.append(_deposit("DN1", "3000.00", open_date=f"{OPENED:%Y%m%d}"))
    loans = ["0101|LK1|0001|C001|测试贷款|CNY|100000.00|1301|N|20250101||20250101|20261231|Y01|4.350000|HT1|G|1|"
             "0.00|0.00|0.00|100|0|E001"]
    relations = ["DEP|DC9|0001|E001|100|20260101|", "DEP|DL1|0001|E002|100|20260101|"]
    if day >= REL_FROM:  # entered on the 20th, for an account the ledger has from the 28th
        relations.append(f"DEP|DN1|0001|E001|100|{REL_FROM:%Y%m%d}|")
    return {
        "ORG": ["0001|总行||1|HO|A|19970101", "0101|城东支行|0001|3|SB|A|19980301"],
        "EMP": ["E001|张伟|0101|CM|A|20150701|", "E002|李娜|0101|CM|L|20160701|20260115",
                "E003|王强|0101|CM|A|20170701|"],
        "CUST": ["C001|赵敏|P||0||||0101"],
        "FX": ["CNY|人民币|1.000000|365|365"],
        "DEP": deposits,
        "LOAN": loans,
        "GL": gl_lines(deposits, loans),
        "CARD": ["K1|0101|C001|DK1|D|N|20250101|20250101||E003"],
        # the transfer prices: DC9's stays after the account closed
        "FTP": ["DEP|DK1|0001|2.300000|20260101", "DEP|DC9|0001|1.500000|20260101", "LOAN|LK1|0001|2.000000|20250101"],
        "REL": relations,
        # a fee of the 28th on the account closed the day before, without an employee
        "FEE": [f"F1|{LAST:%Y%m%d}|0101|C001|DC9|0001|RETAIL|AGNT03|CNY|50.00|"] if day == LAST else [],
        "INTL": [],
    }


@pytest.fixture(scope="module")
def month(dagster_home: Path, fresh_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The days delivered and run as one nightly run; BANKPERF_HOME in a temporary folder."""
    inbox = tmp_path_factory.mktemp("inbox")
    for day in DAYS:
        write_day(inbox, day, _rows(day))
    home = tmp_path_factory.mktemp("home")
    saved = os.environ.get("BANKPERF_HOME")
    os.environ["BANKPERF_HOME"] = str(home)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            status = cli.main(["run", "--inbox", str(inbox), "--from", f"{FIRST:%Y%m%d}", "--to", f"{LAST:%Y%m%d}"])
        yield {"status": status, "home": home, "db": fresh_db, "out": out.getvalue()}
    finally:
        if saved is None:
            os.environ.pop("BANKPERF_HOME", None)
        else:
            os.environ["BANKPERF_HOME"] = saved


def _rows_of(url: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


def test_the_dirty_month_runs_green_and_publishes_every_date(month: dict) -> None:
    out = month["out"]
    assert month["status"] == 0, out
    statuses = _rows_of(month["db"], "select biz_date, status from published.publication_status order by 1")
    assert statuses == [(day, "PUBLISHED") for day in DAYS]
    # the run's summary: the count per rule of the last day
    assert ("exceptions 2026-02-28: 4 (FEE acct_no_in_dep_or_loan 1, FTP dep_account_exists 1, "
            "REL dep_account_exists 1, REL owner_not_on_books 1) in published.rpt_data_exceptions") in out


def test_every_exception_of_the_last_day_is_listed_with_its_action(month: dict) -> None:
    found = _rows_of(month["db"], "select feed, rule_name, record_key, record, action_taken "
                                  "from published.rpt_data_exceptions where biz_date = %s order by 1, 2, 3", (LAST,))
    assert found == [
        # DC9 closed on the 27th; its fee routes by the fee rule: no employee, so the owners of its account that
        # day - the closed account's carried (zero-balance) day is still owned by E001 through REL
        ("FEE", "acct_no_in_dep_or_loan", "F1", "F1|DC9||50.00 CNY",
         "fee counted to E001 (its account's owners) on 2026-02-28: account closed on 2026-02-27"),
        ("FTP", "dep_account_exists", "DEP|DC9|0001", "DEP|DC9|0001|1.500000|20260101",
         "price ignored on 2026-02-28: account closed on 2026-02-27"),
        ("REL", "dep_account_exists", "DEP|DC9|0001", "DEP|DC9|0001|E001|100|20260101|",
         "relation ignored on 2026-02-28: account closed on 2026-02-27"),
        # E002 left in January: DL1's share goes to the virtual manager of its opening institution
        ("REL", "owner_not_on_books", "DEP|DL1|0001", "share of E002 (REL) given to V0101",
         "share of E002 (REL) given to V0101 on 2026-02-28: owner not on the books that day"),
    ]


def test_a_relation_before_the_accounts_first_snapshot_is_ignored_until_it_arrives(month: dict) -> None:
    found = _rows_of(month["db"], "select biz_date, action_taken from published.rpt_data_exceptions "
                                  "where record_key = 'DEP|DN1|0001' order by 1")
    # the 20th to the 27th (8 days); on the 28th DN1 is on the ledger and E001 owns it
    assert found == [(day, f"relation ignored on {day:%Y-%m-%d}: account not in the ledger yet (first on 2026-02-28)")
                     for day in DAYS if REL_FROM <= day < OPENED]
    assert _rows_of(month["db"], "select emp_id, share, source from published.fct_account_owner_daily "
                                 "where acct_no = 'DN1' and biz_date = %s", (LAST,)) == [("E001", Decimal("1"), "REL")]
    # the count per rule: DC9 on the 28th and DN1 on 8 days; the leaver every day (10); one price, one fee
    counts = dict(((feed, rule), count) for feed, rule, count in _rows_of(
        month["db"], "select feed, rule_name, count(*) from published.rpt_data_exceptions group by 1, 2"))
    assert counts == {("REL", "dep_account_exists"): 9, ("REL", "owner_not_on_books"): 10,
                      ("FTP", "dep_account_exists"): 1, ("FEE", "acct_no_in_dep_or_loan"): 1}


def test_the_data_docs_link_to_the_exceptions(month: dict) -> None:
    folder = month["home"] / "quality" / "20260228"
    index = (folder / "data_docs" / "index.html").read_text(encoding="utf-8")
    assert "href='../exceptions.html'" in index and "4 row(s)" in index
    page = (folder / "exceptions.html").read_text(encoding="utf-8")
    assert "relation ignored on 2026-02-28: account closed on 2026-02-27" in page
    assert "price ignored on 2026-02-28: account closed on 2026-02-27" in page
    assert "exceptions 2026-02-28: 4 (FEE acct_no_in_dep_or_loan 1" in summary()  # bankperf summary


def test_a_constant_deposit_earns_balance_times_spread_times_days_over_basis_to_the_fen(month: dict) -> None:
    # DK1: 1,000,000 x (2.30 - 0.30) / 100 / 365 = 54.794520547945... a day, carried exact (54.7945205479 at
    # 10 decimals); 10 days = 547.9452054790, the exact 1,000,000 x 2 x 10 / 36,500 = 547.945205479452
    assert _rows_of(month["db"], "select ftp_profit_cny_m from published.fct_account_profit_daily "
                                 "where acct_no = 'DK1' and biz_date = %s", (LAST,)) == [(Decimal("547.9452054790"),)]
    # what E003 (DK1's only owner) sees: 547.95 to the fen (not 10 x 54.79 = 547.90)
    assert _rows_of(month["db"], "select indicator_value from published.fct_indicator_value_daily "
                                 "where biz_date = %s and subject_id = 'E003' and indicator_code = 'DEP_FTP_PROFIT_M'",
                    (LAST,)) == [(Decimal("547.950000"),)]
