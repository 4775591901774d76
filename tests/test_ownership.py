"""Ownership scenarios (rules.md, Ownership and Calibers) on hand-built days, through the real
loaders, the real management-input import and real dbt builds, one invocation per night.

The bank: head office 0001; branch 0100 with sub-branches 0101 and 0102; branch 0200 with
sub-branch 0201. Every account is a CNY demand deposit of customer C1 opened at 0101 with 1,000.00
unless said; A7 is customer C2's only account.
Days 30 Jan .. 3 Feb 2026 (a month end inside), then 4 Feb after a retroactive override and a
late REL relation dated back.
Employees E4, E5, E6 move from 0101 to 0102 on 1 February (carry NONE, ALL, LIST [A10]).
A14's relation to E7 (also its ledger manager) vanishes from REL on 4 February.
A15 (customer C3, ledger manager E7, REL E2) closes on 30 January and leaves the ledger; REL drops
its relation the day after.
Expected numbers are worked out by hand in each test.
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
from bankperf.manage.store import log_restatements_done
from bankperf.settings import db_settings
from loaders.load import load_date
from tests.dbt_runs import BUILD, run_dbt
from tests.deliveries import gl_lines, write_day

DAYS = [dt.date(2026, 1, 30) + dt.timedelta(days=offset) for offset in range(5)]  # 30 Jan .. 3 Feb
RETRO_DAY = dt.date(2026, 2, 4)
TRANSFER_DAY = dt.date(2026, 2, 1)


def _dep(acct_no: str, balance: str = "1000.00", mgr: str = "", cust: str = "C1") -> str:
    return (f"0101|{acct_no}|0001|{cust}|账户{acct_no}|CNY|{balance}|2011|N|20250101||20250101|99991231|CUR|"
            f"0.300000|GEN|0|{mgr}")


def _rows(day: dt.date) -> dict[str, list[str]]:
    moved = "0102" if day >= TRANSFER_DAY else "0101"
    deposits = [
        _dep("A1"), _dep("A2", "100.01"), _dep("A3"), _dep("A4"), _dep("A5", mgr="E3"), _dep("A6", mgr="E9"),
        _dep("A7", cust="C2"), _dep("A8"), _dep("A9"), _dep("A10"), _dep("A11"), _dep("A12"),
        _dep("A13", "1200.00"),
        _dep("A14", mgr="E7"),
    ]
    if day == DAYS[0]:  # closed today (balance 0), gone from the ledger from tomorrow
        deposits.append("0101|A15|0001|C3|账户A15|CNY|0.00|2011|C|20250101|20260130|20250101|99991231|CUR|"
                        "0.300000|GEN|0|E7")
    relations = [
        "DEP|A1|0001|E1|100.00|20250101|",                                        # single owner
        "DEP|A2|0001|E1|60.00|20250101|", "DEP|A2|0001|E2|40.00|20250101|",       # 60/40 across branches
        "DEP|A3|0001|E1|70.00|20250101|",                                         # partial set
        "DEP|A4|0001|E1|80.00|20250101|", "DEP|A4|0001|E2|30.00|20250101|",       # 110 %: invalid
        "DEP|A8|0001|E4|100.00|20250101|", "DEP|A9|0001|E5|100.00|20250101|",
        "DEP|A10|0001|E6|100.00|20250101|", "DEP|A11|0001|E6|100.00|20250101|",
        "CARD|K3||E2|100.00|20250101|",
    ]
    if day == DAYS[0]:  # the business system drops a closed account's relation once it has left the ledger
        relations.append("DEP|A15|0001|E2|100.00|20250101|")
    if day < RETRO_DAY:  # a rolled-over deposit's relation the business system then drops (E7 is its ledger manager)
        relations.append("DEP|A14|0001|E7|100.00|20250101|")
    if day == RETRO_DAY:  # the business system records, late, that E2 has owned A7 since 31 January
        relations.append("DEP|A7|0001|E2|100.00|20260131|")
        # and hands A1 over: E1's relation (since 2025) ends yesterday, E3's starts today
        relations[0] = "DEP|A1|0001|E1|100.00|20250101|20260203"
        relations.append("DEP|A1|0001|E3|100.00|20260204|")
    return {
        "ORG": ["0001|总行||1|HO|A|19970101", "0100|一分行|0001|2|BR|A|19980301",
                "0101|一支行|0100|3|SB|A|19980301", "0102|二支行|0100|3|SB|A|19980301",
                "0200|二分行|0001|2|BR|A|19980301", "0201|三支行|0200|3|SB|A|19980301"],
        "EMP": ["E1|甲|0101|CM|A|20150701|", "E2|乙|0201|CM|A|20150701|", "E3|丙|0101|CM|A|20150701|",
                f"E4|丁|{moved}|CM|A|20150701|", f"E5|戊|{moved}|CM|A|20150701|",
                f"E6|己|{moved}|CM|A|20150701|", "E9|庚|0101|CM|L|20150701|20251231",
                "E7|辛|0201|CM|A|20150701|"],
        "CUST": ["C1|客户一|P||0||||0101", "C2|客户二|P||0||||0101", "C3|客户三|P||0||||0101"],
        "FX": ["CNY|人民币|1.000000|360|365"],
        "DEP": deposits,
        "GL": gl_lines(deposits, []),
        "REL": relations,
        "CARD": ["K1|0101|C1|A2|D|N|20250101|20250101||", "K2|0101|C1|A1|D|N|20250101|20250101||E3",
                 "K3|0101|C1|A1|D|N|20250101|20250101||"],
    }


def _dbt(workdir: Path, day: dt.date, *args: str) -> None:
    command = [*BUILD, "--vars", json.dumps({"min_date": day.isoformat(), "max_date": day.isoformat()}),
               "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs"), *args]
    result = run_dbt(command)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    with psycopg.connect(db_settings().url) as conn:  # as the nightly run's dbt step does after a build
        log_restatements_done(conn)


def _import(workdir: Path, kind: str, name: str, lines: list[str], reason: str) -> str:
    path = workdir / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return commands.import_file(kind, path, by="finance.li", reason=reason)


OVERRIDE_HEADER = ("acct_type,acct_no,sub_acct_no,effective_date,end_date,split_type,portion,emp_id,share_pct,"
                   "is_lead,stock_base,stock_base_amount,threshold_amount,action")


@pytest.fixture(scope="module")
def bank(fresh_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    workdir = tmp_path_factory.mktemp("ownership")
    inbox = workdir / "inbox"
    for day in [*DAYS, RETRO_DAY]:
        write_day(inbox, day, _rows(day))
        result = load_date(inbox, day, quiet=True)
        assert result.ok, result.errors()
    _import(workdir, "ownership_override", "splits.csv", [
        OVERRIDE_HEADER,
        "DEP,A12,0001,2026-01-01,,STOCK_INCREMENT,STOCK,E1,100,1,FIXED,600,,",
        "DEP,A12,0001,2026-01-01,,STOCK_INCREMENT,INCREMENT,E3,100,1,FIXED,600,,",
        "DEP,A13,0001,2026-01-01,,THRESHOLD,TIER_1,E1,100,1,,,500,",
        "DEP,A13,0001,2026-01-01,,THRESHOLD,TIER_2,E2,50,1,,,500,",
        "DEP,A13,0001,2026-01-01,,THRESHOLD,TIER_2,E3,50,0,,,500,",
    ], "split marketing of A12 and A13")
    _import(workdir, "transfer_decision", "transfers.csv", [
        "emp_id,transfer_date,carry_mode,acct_type,acct_no,sub_acct_no,action",
        "E5,2026-02-01,ALL,,,,",
        "E6,2026-02-01,LIST,DEP,A10,0001,",
    ], "E5 keeps his book; E6 keeps A10")
    _dbt(workdir, DAYS[0])
    for day in DAYS[1:3]:
        _dbt(workdir, day, "--select", "tag:daily")
    # 2 and 3 Feb with everything built on the daily models, as the nightly run's partitioned build: the
    # indicator marts of those days (read by the tests), and the views over the daily tables (dropped with
    # the tables a daily selection rebuilds); the seeds and the management-input views stand from 30 Jan
    for day in DAYS[3:]:
        _dbt(workdir, day, "--select", "tag:daily+")
    yield fresh_db, workdir


def _owners(url: str, day: dt.date, acct_no: str) -> dict[tuple[str, str], tuple]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select emp_id, portion, share, alloc_balance_cny, source, owner_org_id from marts.fct_account_owner_daily "
            "where biz_date = %s and acct_no = %s", (day, acct_no)).fetchall()
    return {(emp, portion): (share, alloc, source, org) for emp, portion, share, alloc, source, org in rows}


def _value(url: str, sql: str, params: tuple = ()) -> object:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql, params).fetchone()
    return None if row is None else row[0]


def test_single_owner(bank: tuple[str, Path]) -> None:
    url, _ = bank
    assert _owners(url, DAYS[0], "A1") == {("E1", "ALL"): (Decimal(1), Decimal("1000.00"), "REL", "0101")}


def test_sixty_forty_across_branches(bank: tuple[str, Path]) -> None:
    url, _ = bank
    # 100.01 × 0.6 = 60.006 → 60.01 (the larger share takes the remainder 100.01 − 40.00); × 0.4 = 40.004 → 40.00
    assert _owners(url, DAYS[0], "A2") == {
        ("E1", "ALL"): (Decimal("0.6"), Decimal("60.01"), "REL", "0101"),
        ("E2", "ALL"): (Decimal("0.4"), Decimal("40.00"), "REL", "0201"),
    }
    cross = _value(url, "select count(*) from marts.rpt_manager_cross_branch where biz_date = %s and acct_no = 'A2' "
                        "and emp_id = 'E2'", (DAYS[0],))
    assert cross == 1  # E2 (0201) owns an account opened at 0101
    assert _value(url, "select count(*) from marts.rpt_manager_cross_branch where biz_date = %s and acct_no = 'A2' "
                       "and emp_id = 'E1'", (DAYS[0],)) == 0


def test_partial_set_remainder_to_virtual(bank: tuple[str, Path]) -> None:
    url, _ = bank
    assert _owners(url, DAYS[0], "A3") == {
        ("E1", "ALL"): (Decimal("0.7"), Decimal("700.00"), "REL", "0101"),
        ("V0101", "ALL"): (Decimal("0.3"), Decimal("300.00"), "REL_REMAINDER", "0101"),
    }


def test_invalid_set_is_flagged_and_falls_through(bank: tuple[str, Path]) -> None:
    url, _ = bank
    # 80 + 30 = 110 %: skipped; no ledger manager on A4 → the opening institution's virtual manager
    assert _owners(url, DAYS[0], "A4") == {("V0101", "ALL"): (Decimal(1), Decimal("1000.00"), "VIRTUAL", "0101")}
    with psycopg.connect(url) as conn:
        flagged = conn.execute("select exception_type, total_share_pct, detail from marts.rpt_ownership_exceptions "
                               "where biz_date = %s and acct_no = 'A4'", (DAYS[0],)).fetchall()
    assert flagged == [("REL_OVER_100", Decimal("110.0000"), "E1 80.00%, E2 30.00%")]


def test_ledger_manager_and_virtual_fallbacks(bank: tuple[str, Path]) -> None:
    url, _ = bank
    assert _owners(url, DAYS[0], "A5") == {("E3", "ALL"): (Decimal(1), Decimal("1000.00"), "LEDGER_MANAGER", "0101")}
    # E9 has left (status L): not on the books, so the virtual manager; A7 has no manager at all
    assert _owners(url, DAYS[0], "A6") == {("V0101", "ALL"): (Decimal(1), Decimal("1000.00"), "VIRTUAL", "0101")}
    assert _owners(url, DAYS[0], "A7") == {("V0101", "ALL"): (Decimal(1), Decimal("1000.00"), "VIRTUAL", "0101")}


def test_closed_account_keeps_its_relations(bank: tuple[str, Path]) -> None:
    """REL dropping a closed account's relation is housekeeping, not a retroactive change: A15 keeps
    E2 (not its ledger manager E7) on its last day and on the days it is carried after it, and no
    build restates it."""
    url, _ = bank
    for day in DAYS[:2]:
        assert _owners(url, day, "A15") == {("E2", "ALL"): (Decimal(1), Decimal("0.00"), "REL", "0201")}
    assert _value(url, "select count(*) from control.restatement_log where set_key like 'DEP|A15|%%'") == 0
    with psycopg.connect(url) as conn:
        versions = conn.execute("select applied_date, emp_id from intermediate.int_account_relations_applied "
                                "where acct_no = 'A15'").fetchall()
    assert versions == [(DAYS[0], "E2")]


def test_cards_follow_their_rules(bank: tuple[str, Path]) -> None:
    url, _ = bank
    with psycopg.connect(url) as conn:
        rows = conn.execute("select card_no, emp_id, share, source from marts.fct_card_owner_daily "
                            "where biz_date = %s order by 1, 2", (DAYS[0],)).fetchall()
    assert rows == [
        ("K1", "E1", Decimal("0.6"), "LINKED_ACCOUNT"),  # no REL, no emp_id: the owners of A2
        ("K1", "E2", Decimal("0.4"), "LINKED_ACCOUNT"),
        ("K2", "E3", Decimal(1), "CARD_EMPLOYEE"),
        ("K3", "E2", Decimal(1), "REL"),
    ]


def test_transfer_carry_modes(bank: tuple[str, Path]) -> None:
    url, _ = bank
    before, after = DAYS[1], DAYS[2]  # 31 Jan, 1 Feb (T)
    # NONE: from T the old institution's virtual manager; E4 keeps a zero ENDED row for the year's sums
    assert _owners(url, before, "A8") == {("E4", "ALL"): (Decimal(1), Decimal("1000.00"), "REL", "0101")}
    assert _owners(url, after, "A8") == {
        ("V0101", "ALL"): (Decimal(1), Decimal("1000.00"), "TRANSFER_REVERT", "0101"),
        ("E4", "ALL"): (Decimal(0), Decimal("0.00"), "ENDED", "0102"),
    }
    # ALL: stays with E5, now counted at 0102
    assert _owners(url, after, "A9") == {("E5", "ALL"): (Decimal(1), Decimal("1000.00"), "TRANSFER_CARRY", "0102")}
    # LIST [A10]: A10 carried, A11 reverts
    assert _owners(url, after, "A10") == {("E6", "ALL"): (Decimal(1), Decimal("1000.00"), "TRANSFER_CARRY", "0102")}
    assert _owners(url, after, "A11")[("V0101", "ALL")][2] == "TRANSFER_REVERT"
    # the old institution counts the employee's results through T − 1, the new one from T:
    # E5's A9 counts to 0101 on 31 Jan and to 0102 on 1 Feb (assessment caliber)
    sql = ("select sum(balance_cny) from marts.mart_subject_balance_daily where biz_date = %s and subject_type = 'ORG' "
           "and subject_id = %s and caliber = 'ASSESSMENT'")
    # 0102 holds nothing before T; from T it has A9 (E5) and A10 (E6): 2,000.00
    assert _value(url, sql, (before, "0102")) is None
    assert _value(url, sql, (after, "0102")) == Decimal("2000.00")
    # accounting caliber: everything stays at the opening institution 0101 (12 × 1,000 + 100.01 + 1,200)
    total = Decimal("13300.01")
    sql_acc = sql.replace("ASSESSMENT", "ACCOUNTING")
    assert _value(url, sql_acc, (after, "0101")) == total
    assert _value(url, sql_acc, (after, "0102")) is None
    # head office: equal in both calibers
    assert _value(url, sql, (after, "0001")) == _value(url, sql_acc, (after, "0001")) == total


def test_stock_increment_and_threshold_splits(bank: tuple[str, Path]) -> None:
    url, _ = bank
    # A12: 1,000.00 with a fixed stock base 600: stock 600 to E1, increment 400 to E3
    assert _owners(url, DAYS[0], "A12") == {
        ("E1", "STOCK"): (Decimal("0.6"), Decimal("600.00"), "OVERRIDE", "0101"),
        ("E3", "INCREMENT"): (Decimal("0.4"), Decimal("400.00"), "OVERRIDE", "0101"),
    }
    # A13: 1,200.00 with T = 500: tier 1 (500) to E1, tier 2 (700) half each to E2 and E3
    owners = _owners(url, DAYS[0], "A13")
    assert {key: value[1] for key, value in owners.items()} == {
        ("E1", "TIER_1"): Decimal("500.00"), ("E2", "TIER_2"): Decimal("350.00"), ("E3", "TIER_2"): Decimal("350.00"),
    }
    # shares: 350/1200 = 0.291666666667 (rounded) each; E1 takes the rest: 1 − 2 × 0.291666666667 = 0.416666666666
    assert {key: value[0] for key, value in owners.items()} == {
        ("E1", "TIER_1"): Decimal("0.416666666666"), ("E2", "TIER_2"): Decimal("0.291666666667"),
        ("E3", "TIER_2"): Decimal("0.291666666667"),
    }


def test_manager_customers_compare_with_last_month_end(bank: tuple[str, Path]) -> None:
    url, _ = bank
    with psycopg.connect(url) as conn:
        row = conn.execute("select deposit_balance_cny, deposit_balance_cny_last_month_end "
                           "from marts.rpt_manager_customers where biz_date = %s and emp_id = 'E1' and cust_id = 'C1'",
                           (DAYS[3],)).fetchone()
    # E1 on 2 Feb and on 31 Jan: A1 1,000 + A2 60.01 + A3 700 + A12 stock 600 + A13 tier 1 500 = 2,860.01
    assert row == (Decimal("2860.01"), Decimal("2860.01"))
    # C1 has no loan: all of it is no-loan-customer deposits (无贷户存款)
    assert _value(url, "select value from marts.mart_indicator_value where biz_date = %s and subject_id = 'E1' "
                       "and indicator_code = 'NO_LOAN_CUST_DEP_BAL'", (DAYS[3],)) == Decimal("2860.01")


MONTH_AVG = ("select avg_balance_cny_m from marts.mart_subject_balance_daily where biz_date = '2026-01-31' "
             "and subject_type = 'EMP' and subject_id = %s and caliber = 'ASSESSMENT'")
ROWS_OF_OTHERS = ("select acct_no, biz_date, emp_id, ctid::text from marts.fct_account_owner_daily "
                  "where acct_no not in ('A5', 'A7', 'A14') order by 1, 2, 3")
# the aggregates over owners and their subject columns, for the physical rows each subject has
SUBJECT_TABLES = {
    "mart_subject_balance_daily": "subject_type || ':' || subject_id || ':' || caliber",
    "mart_subject_measures_daily": "subject_type || ':' || subject_id || ':' || caliber",
    "mart_subject_profit_daily": "subject_type || ':' || subject_id || ':' || caliber",
    "fct_indicator_value_daily": "subject_type || ':' || subject_id || ':' || caliber",
    "fct_profit_owner_daily": "'EMP:' || emp_id || ':ASSESSMENT'",
    "fct_manager_customer_daily": "'EMP:' || emp_id || ':ASSESSMENT'",
}
SUBJECT_BALANCE = ("select sum(balance_cny) from marts.mart_subject_balance_daily where biz_date = '2026-01-31' "
                   "and subject_type = %s and subject_id = %s and caliber = 'ASSESSMENT'")


def _subject_rows(url: str) -> dict[str, dict[str, list[tuple]]]:
    """Per aggregate table and subject (type:id:caliber), its rows before the retroactive night as
    (business date, physical row id), sorted."""
    found: dict[str, dict[str, list[tuple]]] = {}
    with psycopg.connect(url) as conn:
        for table, subject in SUBJECT_TABLES.items():
            rows = conn.execute(f"select {subject}, biz_date, ctid::text from marts.{table} "
                                "where biz_date < %s order by 1, 2, 3", (RETRO_DAY,)).fetchall()
            per_subject: dict[str, list[tuple]] = {}
            for key, day, ctid in rows:
                per_subject.setdefault(key, []).append((day, ctid))
            found[table] = per_subject
    return found


# the virtual manager V0101's customer C1 (A6, A3's remainder): unchanged by the restatement of A7 (C2)
V0101_C1_ROWS = ("select biz_date, ctid::text from marts.fct_manager_customer_daily "
                 "where emp_id = 'V0101' and cust_id = 'C1' and biz_date < %s order by 1")


@pytest.fixture(scope="module")
def retro_night(bank: tuple[str, Path]) -> dict[str, object]:
    """The night of 4 February after a retroactive override of A5 (E3 → E1 from 30 January), with
    REL's late relation of A7 and A14's vanished one; what the tables held before it."""
    url, workdir = bank
    with psycopg.connect(url) as conn:
        before = {
            "e3_month_avg": _value(url, MONTH_AVG, ("E3",)),
            "others": conn.execute(ROWS_OF_OTHERS).fetchall(),
            "subject_rows": _subject_rows(url),
            "balances": {org: _value(url, SUBJECT_BALANCE, ("ORG", org)) for org in ("0001", "0100", "0101", "0201")},
            "v0101_c1": conn.execute(V0101_C1_ROWS, (RETRO_DAY,)).fetchall(),
        }
    message = _import(workdir, "ownership_override", "retro.csv", [
        OVERRIDE_HEADER, "DEP,A5,0001,2026-01-30,,ALL,ALL,E1,100,1,,,,",
    ], "A5 was marketed by E1 (audit finding)")
    assert "queued for restatement" in message
    # the next night (4 Feb) restates A5 from 30 Jan, and only A5 (and the REL changes of A7, A14)
    _dbt(workdir, RETRO_DAY, "--select", "tag:daily")
    return before


def test_retroactive_override_restates_last_month(bank: tuple[str, Path], retro_night: dict[str, object]) -> None:
    url, _ = bank
    # before: E3 holds A5 (1,000) + A12 increment (400) + A13 half of tier 2 (350) on 30 and 31 Jan:
    # January average on 31 Jan = (2 × 1,750) / 31 = 112.903226
    assert retro_night["e3_month_avg"] == Decimal("112.903226")
    others_before = retro_night["others"]
    assert _owners(url, DAYS[1], "A5") == {("E1", "ALL"): (Decimal(1), Decimal("1000.00"), "OVERRIDE", "0101")}
    # E3's January average drops by A5: (2 × 750) / 31 = 48.387097; E1's grows by 2,000 / 31
    assert _value(url, MONTH_AVG, ("E3",)) == Decimal("48.387097")
    e1_before = (Decimal("2860.01") * 2) / 31
    assert _value(url, MONTH_AVG, ("E1",)) == round(e1_before + Decimal(2000) / 31, 6)
    # the owners' year sums of A5 on 3 Feb: E1 holds 5 days (5,000.00), E3's former row is gone
    with psycopg.connect(url) as conn:
        rows = conn.execute("select emp_id, cum_alloc_balance_cny_y from marts.fct_account_owner_daily "
                            "where biz_date = '2026-02-03' and acct_no = 'A5'").fetchall()
        log = conn.execute("select kind, status, restated_from, restated_to, accounts_restated "
                           "from control.restatement_log where kind = 'ownership_override'").fetchall()
        others_after = [row for row in conn.execute(ROWS_OF_OTHERS).fetchall() if row[1] < RETRO_DAY]
    assert rows == [("E1", Decimal("5000.00"))]
    assert log == [("ownership_override", "DONE", dt.date(2026, 1, 30), RETRO_DAY, 1)]
    assert others_after == others_before  # no other account's rows were rewritten (same physical rows)
    # the late REL relation of A7 (from 31 Jan) restated A7 from that day, and the build logged it
    assert _owners(url, DAYS[0], "A7") == {("V0101", "ALL"): (Decimal(1), Decimal("1000.00"), "VIRTUAL", "0101")}
    assert _owners(url, DAYS[1], "A7") == {
        ("E2", "ALL"): (Decimal(1), Decimal("1000.00"), "REL", "0201"),
        ("V0101", "ALL"): (Decimal(0), Decimal("0.00"), "ENDED", "0101"),  # it held A7 on 30 Jan
    }
    with psycopg.connect(url) as conn:
        detected = conn.execute("select set_key, status, restated_from, accounts_restated from control.restatement_log "
                                "where kind = 'core_rel' order by set_key").fetchall()
    # A14's vanished relation (since 2025) restates A14 from the start of the previous year, the limit
    assert detected == [("DEP|A14|0001", "DONE", dt.date(2025, 1, 1), 1),
                        ("DEP|A7|0001", "DONE", dt.date(2026, 1, 31), 1)]
    # the handover of A1 (E1's relation ended on 3 Feb, E3's from 4 Feb) changes no day before the
    # window: not a restatement (A1's earlier rows are among others_after, untouched); E3 from 4 Feb
    assert _owners(url, RETRO_DAY, "A1") == {
        ("E3", "ALL"): (Decimal(1), Decimal("1000.00"), "REL", "0101"),
        ("E1", "ALL"): (Decimal(0), Decimal("0.00"), "ENDED", "0101"),
    }


def test_restatement_rewrites_only_the_subjects_it_touches(bank: tuple[str, Path],
                                                           retro_night: dict[str, object]) -> None:
    url, _ = bank
    before = retro_night["subject_rows"]
    after = _subject_rows(url)
    # the owners whose figures changed before the window: E3 → E1 (A5, from 30 Jan), V0101 → E2 (A7, from
    # 31 Jan); the institutions above some but not all of an account-day's owners before and after: 0101
    # and 0100 (V0101, not E2), 0201 and 0200 (E2, not V0101). Not 0001: the head office is above every
    # owner, so it counts A5 and A7 whole either way (and 0101/0100 are above both E3 and E1 for A5)
    touched = {"EMP:E1:ASSESSMENT", "EMP:E3:ASSESSMENT", "EMP:E2:ASSESSMENT", "EMP:V0101:ASSESSMENT",
               "ORG:0101:ASSESSMENT", "ORG:0100:ASSESSMENT", "ORG:0201:ASSESSMENT", "ORG:0200:ASSESSMENT"}
    for table in SUBJECT_TABLES:
        untouched = set(before[table]) - touched
        # every other subject keeps its physical rows: E4, E5, E6, E7 (A14's owner stays E7: its relation
        # vanished, the ledger's manager is the same employee), 0102, every institution's accounting caliber
        kept = {key: after[table].get(key) for key in untouched}
        assert kept == {key: before[table][key] for key in untouched}, table
        assert "EMP:E7:ASSESSMENT" in untouched, table
        assert "ORG:0001:ASSESSMENT" in untouched or not SUBJECT_TABLES[table].startswith("subject_type"), table
    # of a touched owner's customers, only those a changed account-day belongs to are written again: V0101
    # lost A7 (C2) from 31 Jan, its C1 rows stay as they were
    with psycopg.connect(url) as conn:
        assert conn.execute(V0101_C1_ROWS, (RETRO_DAY,)).fetchall() == retro_night["v0101_c1"]
    assert len(retro_night["v0101_c1"]) == len(DAYS)
    # the touched subjects' rows of the restated days were rewritten (the balance mart: every day from 30 Jan)
    balance_rows = before["mart_subject_balance_daily"]
    for key in touched:
        assert set(after["mart_subject_balance_daily"][key]).isdisjoint(balance_rows[key]), key
    # A14 was restated at the account level (REL vanished, rule 3: the ledger's manager E7), same figures
    assert _owners(url, DAYS[0], "A14") == {("E7", "ALL"): (Decimal(1), Decimal("1000.00"), "LEDGER_MANAGER", "0201")}
    # figures on 31 Jan (assessment caliber), by hand: 0201 held A2 40 % (40.00), half of A13's tier 2
    # (350.00) and A14 (1,000.00) = 1,390.00, and gains A7 (1,000.00): 2,390.00; 0101 (and 0100, as 0102
    # holds nothing before 1 Feb) held the rest of 13,300.01 = 11,910.01 and loses A7: 10,910.01; the
    # head office keeps 13,300.01
    assert retro_night["balances"] == {"0001": Decimal("13300.01"), "0100": Decimal("11910.01"),
                                       "0101": Decimal("11910.01"), "0201": Decimal("1390.00")}
    assert {org: _value(url, SUBJECT_BALANCE, ("ORG", org)) for org in ("0001", "0100", "0101", "0201")} == {
        "0001": Decimal("13300.01"), "0100": Decimal("10910.01"), "0101": Decimal("10910.01"),
        "0201": Decimal("2390.00")}
    # E2 on 31 Jan: 40.00 + 350.00 + A7 1,000.00; month to date (30 and 31 Jan): 390.00 + 1,390.00
    with psycopg.connect(url) as conn:
        e2 = conn.execute("select sum(balance_cny), sum(cum_balance_cny_m) from marts.mart_subject_balance_daily "
                          "where biz_date = '2026-01-31' and subject_type = 'EMP' and subject_id = 'E2'").fetchone()
    assert e2 == (Decimal("1390.00"), Decimal("1780.00"))


def test_restated_days_equal_a_rebuild(bank: tuple[str, Path], retro_night: dict[str, object]) -> None:
    """What the retroactive night wrote for the touched subjects' earlier days (by difference: stored
    figures plus what the changed account-days changed) equals a rebuild of every aggregate from the
    account-days themselves. Last in the module: the rebuild replaces the tables (and drops the views
    over them)."""
    url, workdir = bank
    written = {table: _all_rows(url, table) for table in SUBJECT_TABLES}
    # A7 moved from V0101 to E2 on 31 Jan with customer C2 (its only account): V0101 lost C2 that day, E2
    # gained it, and so did 0201 and 0200 (0101 and 0100 lost it): the customer counts changed too
    assert ("2026-01-31", "V0101", "C2") not in {row[:3] for row in _customer_rows(url)}
    assert ("2026-01-31", "E2", "C2") in {row[:3] for row in _customer_rows(url)}
    window = {"min_date": DAYS[0].isoformat(), "max_date": RETRO_DAY.isoformat()}
    result = run_dbt(["run", "--full-refresh", "--select", *SUBJECT_TABLES, "--vars", json.dumps(window),
                      "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")])
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    for table in SUBJECT_TABLES:
        rebuilt = _all_rows(url, table)
        assert len(rebuilt) > 0, table
        assert sorted(set(written[table]) ^ set(rebuilt)) == [], table
        assert len(written[table]) == len(rebuilt), table


def _all_rows(url: str, table: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(f"select * from marts.{table} order by 1, 2, 3").fetchall()


def _customer_rows(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute("select biz_date::text, emp_id, cust_id from marts.fct_manager_customer_daily").fetchall()
