"""The dbt core models against the real database, real files and the real dbt.

Hand-built days (2025-12-30 .. 2026-01-04) are written as interface files, loaded through
``loaders.load.load_date`` into a fresh database, and built with ``dbt build --vars ...`` (in the test
process: ``tests/dbt_runs.py``). Checked: the grain of ``fct_account_daily``, a month average of an account that
closes mid-month, the year reset on 1 January, per-day FX conversion, a multi-day window equal
to one-day runs, reruns (identical rows; an out-of-order rerun refused), and a missing FX rate
failing the build without dropping the row.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from loaders.load import load_date
from tests.dbt_runs import BUILD, run_dbt
from tests.deliveries import gl_lines, write_day

pytestmark = pytest.mark.slow

DAYS = [dt.date(2025, 12, 30) + dt.timedelta(days=offset) for offset in range(6)]  # 30 Dec .. 4 Jan
FACT_KEY = "biz_date, acct_type, acct_no, sub_acct_no"
DAILY_TABLES = ["fct_account_daily", "fct_account_owner_daily", "dim_account", "dim_customer", "dim_currency",
                "dim_institution", "dim_employee", "bridge_institution_ancestor"]

# USD per day: CNY per dollar. U1 holds 100.00 USD every day.
USD_RATES = {
    dt.date(2025, 12, 30): Decimal("7.10"),
    dt.date(2025, 12, 31): Decimal("7.20"),
    dt.date(2026, 1, 1): Decimal("7.15"),
    dt.date(2026, 1, 2): Decimal("7.05"),
    dt.date(2026, 1, 3): Decimal("7.30"),
    dt.date(2026, 1, 4): Decimal("7.25"),
}


def _dep(acct_no: str, currency: str, balance: str, status: str = "N", close: str = "", cust: str = "C001") -> str:
    """A DEP line (18 fields); acct_no and currency may carry blanks, as the contract allows."""
    return (f"0101|{acct_no}|0001|{cust}|测试账户|{currency}|{balance}|2011|{status}|20200101|{close}|20200101|"
            "99991231|CUR|0.300000|GEN|0|E001")


def _loan(balance: str) -> str:
    """A LOAN line (24 fields): a substandard (five_class 3) consumer loan."""
    return (f"0101|L1|0001|C001|测试贷款|CNY|{balance}|1306|N|20250301||20250301|20270301|Y02|5.200000|HT1|C|3|"
            "6000.00|310.00|7.12|75|0|E001")


def _rows(day: dt.date, usd_rate: Decimal | None) -> dict[str, list[str]]:
    """The feeds of one hand-built day."""
    deposits = [_dep(" P1 ", "CNY", "1000.00")]  # open all along (blanks to be trimmed)
    if day == dt.date(2025, 12, 30):
        deposits.append(_dep("C1", "CNY", "3000.00"))
    if day == dt.date(2025, 12, 31):
        deposits.append(_dep("C1", "CNY", "0.00", status="C", close="20251231"))  # closes, then vanishes
    if day == dt.date(2026, 1, 1):
        deposits.append(_dep("X1", "CNY", "1000.00"))
    if day == dt.date(2026, 1, 2):
        deposits.append(_dep("X1", "CNY", "500.00"))
    if day == dt.date(2026, 1, 3):
        deposits.append(_dep("X1", "CNY", "0.00", status="C", close="20260103"))  # closes mid-month
    deposits.append(_dep("U1", " USD", "100.00", cust="C002"))
    fx = ["CNY|人民币|1.000000|360|365"]
    if usd_rate is not None:
        fx.append(f"USD|美元|{usd_rate:.6f}|360|360")
    employee_org = "0101" if day < dt.date(2026, 1, 2) else "0100"  # E001 transfers on 2 January
    return {
        "ORG": ["0001|总行||1|HO|A|19970101", "0100|城东分行|0001|2|BR|A|19980301",
                "0101|城东分行营业部|0100|3|SB|A|19980301"],
        "EMP": [f"E001|张伟|{employee_org}|CM|A|20150701|"],
        "CUST": ["C001|赵敏|P||0||||0101", "C002|金华宏达|C|C34|1||||0101"],
        "FX": fx,
        "DEP": deposits,
        "LOAN": [_loan("50000.00")],
        "GL": gl_lines(deposits, [_loan("50000.00")]),
    }


def _deliver(inbox: Path, day: dt.date, usd_rate: Decimal | None) -> None:
    write_day(inbox, day, _rows(day, usd_rate))
    result = load_date(inbox, day, quiet=True)
    assert result.ok, result.errors()


def _dbt(workdir: Path, first: dt.date, last: dt.date, *args: str) -> subprocess.CompletedProcess[str]:
    """dbt build over the window [first, last] in the test database (own target and log folders)."""
    return run_dbt([*BUILD, "--vars", json.dumps({"min_date": first.isoformat(), "max_date": last.isoformat()}),
                    "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs"), *args])


def _build(workdir: Path, first: dt.date, last: dt.date, *args: str) -> None:
    result = _dbt(workdir, first, last, *args)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def _daily(workdir: Path, first: dt.date, last: dt.date, *args: str) -> None:
    """Only the window-driven models (and their tests), as the nightly run after the first."""
    _build(workdir, first, last, "--select", "tag:daily", *args)


# The window-driven models the checked tables need (with the staging views they read and their tests):
# what the tests after the built history rebuild, not the ownership, profit and indicator models after them.
CORE = [f"tag:daily,+{table}" for table in DAILY_TABLES]


def _core(workdir: Path, first: dt.date, last: dt.date, *args: str) -> None:
    _build(workdir, first, last, "--select", *CORE, *args)


def _rows_of(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def _table(url: str, table: str) -> list[tuple]:
    return _rows_of(url, f"select * from marts.{table} as row_values order by row_values")


def _fact(url: str, day: dt.date, acct_no: str, columns: str) -> tuple | None:
    found = _rows_of(url, f"select {columns} from marts.fct_account_daily where biz_date = %s and acct_no = %s",
                     (day, acct_no))
    return found[0] if found else None


@pytest.fixture(scope="module")
def warehouse(fresh_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The six days loaded and built one invocation per day (the first a full build)."""
    workdir = tmp_path_factory.mktemp("dbt_core")
    inbox = workdir / "inbox"
    for day in DAYS:
        _deliver(inbox, day, USD_RATES[day])
    _build(workdir, DAYS[0], DAYS[0])
    for day in DAYS[1:]:
        _daily(workdir, day, day)
    yield fresh_db, workdir


def test_grain_is_one_row_per_account_and_day(warehouse: tuple[str, Path]) -> None:
    url, _ = warehouse
    total, distinct = _rows_of(url, f"select count(*), count(distinct ({FACT_KEY})) from marts.fct_account_daily")[0]
    assert total == distinct > 0
    per_day = dict(_rows_of(url, "select biz_date, count(*) from marts.fct_account_daily group by 1"))
    # P1, U1, L1 every day; C1 on 30-31 Dec only; X1 from 1 January on (carried after it closes)
    assert per_day == {DAYS[0]: 4, DAYS[1]: 4, DAYS[2]: 4, DAYS[3]: 4, DAYS[4]: 4, DAYS[5]: 4}
    assert _fact(url, DAYS[0], "P1", "acct_no") == ("P1",)  # blanks trimmed in staging


def test_closed_months_are_sampled_lighter_and_the_parent_knows_every_day(warehouse: tuple[str, Path]) -> None:
    """After the January nights the December partition of the account-day history is analyzed at a
    lower statistics target (sampled lighter every night), January's at the default; the parent's
    statistics, over every partition, know all six days."""
    url, _ = warehouse
    targets = dict(_rows_of(url, "select partitions.relname, max(attstattarget) from pg_inherits "
                                 "join pg_class partitions on partitions.oid = inhrelid "
                                 "join pg_attribute on attrelid = partitions.oid and attnum > 0 "
                                 "where inhparent = 'intermediate.int_account_days_accumulated'::regclass group by 1"))
    assert targets == {"int_account_days_accumulated_p202512": 10, "int_account_days_accumulated_p202601": -1}
    known = _rows_of(url, "select most_common_vals::text from pg_stats where schemaname = 'intermediate' "
                          "and tablename = 'int_account_days_accumulated' and attname = 'biz_date' and inherited")
    assert len(known) == 1 and set(known[0][0].strip("{}").split(",")) == {f"{day:%Y-%m-%d}" for day in DAYS}


def test_month_average_of_an_account_closing_mid_month(warehouse: tuple[str, Path]) -> None:
    url, _ = warehouse
    columns = "is_present, acct_status, balance, cum_balance_cny_m, avg_balance_cny_m, cum_balance_m"
    # X1: 1000 on 1 Jan, 500 on the 2nd, closed (0) on the 3rd, absent on the 4th
    assert _fact(url, dt.date(2026, 1, 3), "X1", columns) == (
        True, "C", Decimal("0.00"), Decimal("1500.00"), Decimal("500.000000"), Decimal("1500.00"))
    assert _fact(url, dt.date(2026, 1, 4), "X1", columns) == (
        False, "C", Decimal("0.00"), Decimal("1500.00"), Decimal("375.000000"), Decimal("1500.00"))  # 1500 / 4


def test_year_resets_on_1_january(warehouse: tuple[str, Path]) -> None:
    url, _ = warehouse
    columns = "cum_balance_cny_m, cum_balance_cny_q, cum_balance_cny_y, avg_balance_cny_y"
    dec31, jan1, jan2 = dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 1, 2)
    # history starts on 30 December: the year so far is two days of 1000 (avg over 365 days)
    assert _fact(url, dec31, "P1", columns) == (
        Decimal("2000.00"), Decimal("2000.00"), Decimal("2000.00"), Decimal("5.479452"))
    assert _fact(url, jan1, "P1", columns) == (
        Decimal("1000.00"), Decimal("1000.00"), Decimal("1000.00"), Decimal("1000.000000"))
    assert _fact(url, jan2, "P1", columns) == (
        Decimal("2000.00"), Decimal("2000.00"), Decimal("2000.00"), Decimal("1000.000000"))
    # C1 closed on 31 December: it keeps its 3000 through the year end, then drops out
    assert _fact(url, dec31, "C1", "is_present, balance, cum_balance_cny_y") == (
        True, Decimal("0.00"), Decimal("3000.00"))
    assert _fact(url, jan1, "C1", "acct_no") is None


def test_fx_converts_each_day_at_that_days_rate(warehouse: tuple[str, Path]) -> None:
    url, _ = warehouse
    columns = "cny_rate, balance_cny, cum_balance_m, cum_balance_cny_m, avg_balance_cny_m, cum_balance_cny_y"
    jan4 = dt.date(2026, 1, 4)
    january = sum(Decimal("100.00") * USD_RATES[day] for day in DAYS[2:])  # 715 + 705 + 730 + 725
    assert _fact(url, jan4, "U1", columns) == (
        Decimal("7.250000"), Decimal("725.00"), Decimal("400.00"), january, january / 4, january)
    assert _fact(url, dt.date(2025, 12, 31), "U1", "cum_balance_cny_y") == (Decimal("1430.00"),)  # 710 + 720


def test_dimensions_track_versions_and_virtual_managers(warehouse: tuple[str, Path]) -> None:
    url, _ = warehouse
    assert _rows_of(url, "select org_id, valid_from, valid_to from marts.dim_employee where emp_id = 'E001' "
                         "order by valid_from") == [("0101", DAYS[0], dt.date(2026, 1, 1)), ("0100", DAYS[3], None)]
    assert _rows_of(url, "select emp_name, org_id, is_virtual, valid_from from marts.dim_employee "
                         "where emp_id = 'V0101'") == [("城东分行营业部虚拟客户经理", "0101", True, DAYS[0])]
    assert _rows_of(url, "select ancestor_org_id, depth from marts.bridge_institution_ancestor "
                         "where org_id = '0101' order by depth") == [("0101", 0), ("0100", 1), ("0001", 2)]
    assert _rows_of(url, "select acct_type, product_line, customer_segment, is_loan from marts.dim_account "
                         "where acct_no in ('L1', 'U1') order by 1") == [
        ("DEP", "SAVINGS_DEMAND", "personal", False), ("LOAN", "LOAN_CONSUMER", "personal", True)]


# The tables that grow by a day of every account (or owner, or subject) each night (fct_account_daily is
# a view over int_account_days_accumulated, which holds the account-days; fct_account_profit_daily a view
# over fct_account_ftp_daily and fct_account_daily). The first three are partitioned by month: a scan
# names the month's partition, `<table>_pYYYYMM`.
BIG_FACTS = {"int_account_days_accumulated", "fct_account_owner_daily", "fct_account_ftp_daily",
             "mart_subject_balance_daily", "fct_profit_owner_daily", "mart_subject_profit_daily",
             "fct_indicator_value_daily", "fct_manager_customer_daily", "mart_subject_measures_daily",
             "fct_customer_daily", "fct_card_daily", "fct_card_owner_daily", "fct_account_classifications_daily"}


# Reads of a big fact bounded otherwise than by the night's dates, each for a reason (a node's name starts so)
BOUNDED_OTHERWISE = {
    # a monthly table rebuilt whole: each month's split day (one a month with a rediscount income) of the
    # bill-discount loans, found through the owner fact's account index
    "fct_discount_profit_monthly": "account index",
    # the view of every manager's move: the move day's row of the mover, through the subject index
    "not_null_mart_manager_move_payments": "subject index",
    "unique_combination_mart_manage": "subject index",
    # the report's dates from the calendar (the window's, by the test's where) and their month-ends
    "unique_combination_rpt_manager_": "calendar dates",
}


def _big_fact_scans(plan: dict) -> Iterator[dict]:
    table = re.sub(r"(__dbt_tmp)?_p\d{6}$", "", plan.get("Relation Name", ""))  # a month's partition: its table
    if table in BIG_FACTS:  # (no other schema has these names)
        yield plan
    for child in plan.get("Plans", []):
        yield from _big_fact_scans(child)


def test_a_night_reads_only_its_own_days_of_the_big_facts(warehouse: tuple[str, Path]) -> None:
    """Every read of a big fact by the nightly models and tests is bounded by dates known at plan time.

    Compiled for the night 2026-01-04 (with the history before it built by the fixture, before the tests
    below rebuild only the core models), each model and data test of `tag:daily` but the views (and the
    few reads BOUNDED_OTHERWISE) is planned
    with sequential scans disabled: every scan of a big fact must then go through an index, with a
    condition on biz_date made of literals — no `$n` parameter of a `(select ...)`, which the
    planner cannot prune with, and no scan of the whole table.
    """
    url, workdir = warehouse
    day = DAYS[5]
    target = workdir / "explained"  # a target of its own: only this compilation's files (no unit-test copies)
    compiled = run_dbt(["compile", "--vars", json.dumps({"min_date": day.isoformat(), "max_date": day.isoformat()}),
                        "--target-path", str(target), "--log-path", str(workdir / "logs"), "--select", "tag:daily",
                        "--exclude", "test_type:unit"])
    assert compiled.returncode == 0, compiled.stdout[-4000:]
    # the views (fct_account_daily, the reports) are definitions over every date: what reads them at
    # night is planned here with its filter
    nodes = json.loads((target / "manifest.json").read_text())["nodes"].values()
    views = {node["name"] for node in nodes
             if node["resource_type"] == "model" and node["config"]["materialized"] == "view"}
    reading, problems = set(), []
    with psycopg.connect(url) as conn:
        conn.execute("set enable_seqscan = off")
        for path in sorted((target / "compiled").rglob("*.sql")):
            node = path.stem
            if node in views or node.startswith(tuple(BOUNDED_OTHERWISE)):
                continue
            plan = conn.execute("explain (format json) " + path.read_text()).fetchone()[0][0]["Plan"]
            for scan in _big_fact_scans(plan):
                reading.add(node)
                where = f"{node}: {scan['Node Type']} on {scan['Relation Name']}"
                condition = " ".join(scan.get(key, "") for key in ("Index Cond", "Recheck Cond", "Filter"))
                if scan["Node Type"] not in ("Bitmap Heap Scan", "Index Scan", "Index Only Scan"):
                    problems.append(where)
                elif "biz_date" not in condition or "'::date" not in condition:
                    problems.append(f"{where}: no date bound: {condition}")
                elif "$" in condition or "SubPlan" in condition:
                    problems.append(f"{where}: a bound the planner cannot prune with: {condition}")
    assert not problems, "\n".join(problems)
    # the nightly models and tests of every big fact were planned
    assert {"int_account_days_accumulated", "fct_account_ftp_daily", "fct_account_owner_daily", "fct_card_owner_daily",
            "fct_customer_daily", "mart_subject_measures_daily", "fct_indicator_value_daily",
            "assert_owner_period_sums_equal_account", "assert_every_account_day_fully_owned",
            "assert_fct_account_daily_cum_adds_each_day", "int_ownership_restatements"} <= reading


def _raw_scans(plan: dict) -> Iterator[str]:
    if plan.get("Schema") == "raw" and "Relation Name" in plan:
        yield plan["Relation Name"]
    for child in plan.get("Plans", []):
        yield from _raw_scans(child)


def test_a_night_reads_only_its_own_raw_partitions(warehouse: tuple[str, Path]) -> None:
    """The staging views read every raw date (no window baked in); the night's models filter where
    they read them, and PostgreSQL prunes the raw partitions at plan time.

    Compiled for the night 2026-01-04, every model and data test of `tag:daily` is planned: each raw
    partition it scans must be that night's, never an earlier one.
    """
    url, workdir = warehouse
    day = DAYS[5]
    target = workdir / "explained_raw"
    compiled = run_dbt(["compile", "--vars", json.dumps({"min_date": day.isoformat(), "max_date": day.isoformat()}),
                        "--target-path", str(target), "--log-path", str(workdir / "logs"), "--select", "tag:daily",
                        "--exclude", "test_type:unit"])
    assert compiled.returncode == 0, compiled.stdout[-4000:]
    # the views (staging, int_gl_balances_modelled) show every date by design: creating one reads
    # nothing; what reads them at night is planned here with its filter
    nodes = json.loads((target / "manifest.json").read_text())["nodes"].values()
    views = {node["name"] for node in nodes
             if node["resource_type"] == "model" and node["config"]["materialized"] == "view"}
    reading_raw = set()
    with psycopg.connect(url) as conn:
        for path in sorted((target / "compiled").rglob("*.sql")):
            if path.stem in views:
                continue
            plan = conn.execute("explain (format json, verbose) " + path.read_text()).fetchone()[0][0]["Plan"]
            for partition in _raw_scans(plan):
                reading_raw.add(path.stem)
                assert partition.endswith(f"_p{day:%Y%m%d}"), f"{path.stem} reads {partition}"
    # the readers of every feed were planned (the staging tests, the accounts, ownership, profit builds)
    assert {"int_account_days_accumulated", "int_account_relations_applied", "fct_card_daily",
            "rpt_data_exceptions", "rpt_gl_reconciliation"} <= reading_raw


def test_multi_day_windows_equal_one_day_runs(warehouse: tuple[str, Path]) -> None:
    url, workdir = warehouse
    one_day_runs = {table: _table(url, table) for table in DAILY_TABLES}
    _core(workdir, DAYS[0], DAYS[0], "--full-refresh")
    _core(workdir, DAYS[1], DAYS[2])  # two days in one invocation, across the year end
    _core(workdir, DAYS[3], DAYS[5])
    for table in DAILY_TABLES:
        assert _table(url, table) == one_day_runs[table], table


def test_rerunning_dates_yields_identical_rows(warehouse: tuple[str, Path]) -> None:
    url, workdir = warehouse
    before = {table: _table(url, table) for table in DAILY_TABLES}
    _core(workdir, DAYS[5], DAYS[5])  # the latest date again
    _core(workdir, DAYS[3], DAYS[5])  # the chain from an older date through the latest
    for table in DAILY_TABLES:
        assert _table(url, table) == before[table], table
    refused = _dbt(workdir, DAYS[3], DAYS[3], "--select", *CORE)  # an old date alone would break the chain
    assert refused.returncode != 0
    assert "already holds biz_date up to 2026-01-04" in refused.stdout
    assert "--vars '{min_date: 2026-01-02, max_date: 2026-01-04}'" in refused.stdout
    for table in DAILY_TABLES:
        assert _table(url, table) == before[table], table


def test_missing_fx_keeps_the_row_and_fails_the_build(warehouse: tuple[str, Path]) -> None:
    url, workdir = warehouse
    day = dt.date(2026, 1, 5)
    _deliver(workdir / "inbox", day, usd_rate=None)  # FX without USD
    result = _dbt(workdir, day, day, "--select", *CORE)
    assert result.returncode != 0
    assert "not_null_fct_account_daily_balance_cny" in result.stdout
    assert _fact(url, day, "U1", "is_present, balance, cny_rate, balance_cny, cum_balance_cny_m") == (
        True, Decimal("100.00"), None, None, None)
