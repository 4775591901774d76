"""How fast the public marts answer the users' questions (``make bench-marts``, after ``make demo``).

Runs each query of the requirement's list, as a BI tool would send it (plain filters on a
business date, a subject, an indicator), against the built database (the project's own by
default; ``BANKPERF_DB_URL`` points it elsewhere), best of ``--repeat`` runs each, and prints the
time and the row count. The query date is the last published date unless ``--date`` is given.
Nothing is written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import psycopg

from bankperf.settings import db_settings

QUERIES: dict[str, str] = {
    "institution performance, one date, all indicators (mart_indicator_value)":
        "select * from marts.mart_indicator_value where biz_date = %(d)s and subject_type = 'ORG' "
        "and caliber = 'ASSESSMENT'",
    "one manager, one date, all indicators (mart_indicator_value)":
        "select * from marts.mart_indicator_value where biz_date = %(d)s and subject_id = %(emp)s",
    "one indicator, every employee, one date (mart_indicator_value)":
        "select * from marts.mart_indicator_value where biz_date = %(d)s and indicator_code = 'DEP_AVG_Y' "
        "and subject_type = 'EMP'",
    "manager ranking on one indicator (mart_ranking)":
        "select * from marts.mart_ranking where biz_date = %(d)s and indicator_code = 'DEP_BAL' "
        "and subject_type = 'EMP' order by value_rank_in_bank",
    "institution ranking on one indicator (mart_ranking)":
        "select * from marts.mart_ranking where biz_date = %(d)s and indicator_code = 'DEP_INC_Y' "
        "and subject_type = 'ORG'",
    "year scorecards of every subject (mart_scorecard)":
        "select * from marts.mart_scorecard where biz_date = %(d)s and period_type = 'YEAR'",
    "month scorecard of one manager (mart_scorecard)":
        "select * from marts.mart_scorecard where biz_date = %(d)s and period_type = 'MONTH' and subject_id = %(emp)s",
    "scorecard lines of one manager (mart_scorecard_line)":
        "select * from marts.mart_scorecard_line where biz_date = %(d)s and subject_id = %(emp)s",
    "comparison with previous day, month-end, year-end (rpt_indicator_comparison)":
        "select * from marts.rpt_indicator_comparison where biz_date = %(d)s and subject_type = 'ORG' "
        "and indicator_code = 'DEP_BAL'",
    "the manager's own figures with rank (rpt_manager_scoreboard)":
        "select * from marts.rpt_manager_scoreboard where biz_date = %(d)s and emp_id = %(emp)s",
    "top 20 deposit customers by balance (rpt_top_customers)":
        "select * from marts.rpt_top_customers where biz_date = %(d)s and acct_type = 'DEP' "
        "order by balance_rank limit 20",
    "customer contribution (rpt_customer_contribution)":
        "select * from marts.rpt_customer_contribution where biz_date = %(d)s order by deposit_balance_cny desc "
        "limit 100",
    "accounts maturing within 30 days (rpt_accounts_maturing)":
        "select * from marts.rpt_accounts_maturing where biz_date = %(d)s and days_to_maturity <= 30",
    "manager detail: accounts, shares, allocations (rpt_manager_performance_detail)":
        "select * from marts.rpt_manager_performance_detail where biz_date = %(d)s and emp_id = %(emp)s",
}


def _time(conn: psycopg.Connection, query: str, params: dict[str, object], repeat: int) -> tuple[float, int]:
    best, rows = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = len(conn.execute(query, params).fetchall())
        best = min(best, time.perf_counter() - started)
    return best, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", type=dt.date.fromisoformat, help="the date queried (default: the last built)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with psycopg.connect(db_settings().url) as conn:
        day = args.date or conn.execute("select max(biz_date) from marts.fct_indicator_value_daily").fetchone()[0]
        if day is None:
            raise SystemExit("nothing built yet: run `make demo` first")
        emp = conn.execute(
            "select subject_id from marts.fct_indicator_value_daily where biz_date = %s and subject_type = 'EMP' "
            "and subject_kind = 'CM' and indicator_code = 'DEP_BAL' order by indicator_value desc limit 1", (day,)
        ).fetchone()[0]
        size = conn.execute("select count(*) from marts.fct_account_daily where biz_date = %s", (day,)).fetchone()[0]
        print(f"{size:,} account rows on {day}; manager {emp}; best of {args.repeat}")
        for name, query in QUERIES.items():
            seconds, rows = _time(conn, query, {"d": day, "emp": emp}, args.repeat)
            print(f"{seconds:8.3f} s {rows:8,} rows  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
