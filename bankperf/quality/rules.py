"""What every raw feed must satisfy, as readable data: the source of the committed suites.

``python -m bankperf.quality.build`` turns these rules into the great-expectations 1.x
project under ``expectations/gx/`` (one suite, validation definition and checkpoint per
feed); the committed JSON is what runs, and a test fails when it no longer matches this file.

Rules come from two places:

- the contract as data (``loaders/feeds.yaml``): the column list and types, required
  columns and each feed's key, so a contract change reaches the suites by rebuilding;
- the interface contract's prose (``shared/interface/README.md``): accepted codes, ranges
  and the references between feeds of the same business date, written out below.

Severity (GX's own ``severity`` field on each expectation) follows the written policy,
:mod:`bankperf.quality.policy`: every rule belongs to one of its classes and has that class's
severity (``rules_for`` refuses a rule that does not):

- ``critical`` blocks publication only where publishing would put wrong or incomplete money in
  front of users: the file is not the one described (schema, types, required values, codes,
  ranges), a snapshot is empty, a key is duplicated, a currency has no FX rate, an amount's
  institution is outside the attribution tree.
- ``warning`` is reported (Data Docs, asset-check metadata, ``rpt_data_exceptions``) but does
  not block: reference and relation problems in the descriptive feeds (REL, FTP, FEE, INTL,
  CARD, EMP, CUST — accounts closed or not yet in the ledger, leavers, unknown employees or
  customers, prices for accounts not on the books), which the contract says are legal, and
  oddities the contract tolerates (dates, signs).

GE guards the raw boundary only: invariants across rows of the models (shares summing to
100 %, detail equal to the general ledger) are dbt tests and are not repeated here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bankperf.quality.policy import CRITICAL, WARNING, rule_class
from loaders.contract import Feed, feed, feeds

# Codes from the interface contract (shared/interface/README.md).
ORG_LEVELS = [1, 2, 3, 4]  # head office, branch, sub-branch / department, team
ORG_TYPES = ["HO", "BR", "SB", "CD", "MD", "TM"]
ORG_STATUSES = ["A", "X"]
EMP_POSTS = ["CM", "PRES", "VPRES", "TELLER", "STAFF"]
EMP_STATUSES = ["A", "L"]
CUST_TYPES = ["P", "C", "I"]
DAY_BASES = [360, 365]
ACCT_STATUSES = ["N", "F", "D", "C"]  # normal, frozen, dormant, closed
TERM_CODES = ["CUR", "M03", "M06", "Y01", "Y02", "Y03", "Y05"]
DEPOSIT_CLASSES = ["GEN", "MGN", "IB", "DER"]
LOAN_METHODS = ["C", "G", "M", "P", "D"]
FIVE_CLASSES = [1, 2, 3, 4, 5]
DR_CR = ["D", "C"]
CARD_TYPES = ["D", "C"]
CARD_STATUSES = ["N", "U", "L", "X"]
BIZ_LINES = ["CORP", "RETAIL", "INTL"]
SETTLE_TYPES = ["IMP", "EXP", "REM"]
FTP_ACCT_TYPES = ["DEP", "LOAN"]
REL_ACCT_TYPES = ["DEP", "LOAN", "CARD"]

# Plausible bounds (percent): no real rate leaves them, a misplaced decimal point does.
RATE_MIN, RATE_MAX = -5, 50
RISK_WEIGHT_MAX = 1250  # the Basel ceiling, percent

# PostgreSQL type of each contract type in raw (loaders/contract.py TYPES), as pg_typeof prints it.
PG_TYPES = {
    "text": "text",
    "code": "text",
    "date": "date",
    "amount": "numeric",
    "rate": "numeric",
    "pct": "numeric",
    "int": "integer",
    "flag": "boolean",
}
# Columns every raw table adds after the contract's.
LOAD_COLUMNS = {"biz_date": "date", "load_id": "bigint"}


@dataclass(frozen=True)
class Rule:
    """One expectation on one feed's day: a GX expectation class and its arguments, plus why."""

    name: str  # stable within the feed; the expectation's meta.rule and id derive from it
    expectation: str  # class name in great_expectations.expectations
    kwargs: Mapping[str, Any]
    description: str  # what must hold, one line: shown in Data Docs and failure messages
    severity: str = CRITICAL
    columns: tuple[str, ...] = field(default=())  # the columns it is about, for messages


# ---------------------------------------------------------------------------------------------
# Rule makers: each reads as the sentence it checks.


def not_null(column: str) -> Rule:
    return Rule(
        f"{column}_not_null",
        "ExpectColumnValuesToNotBeNull",
        {"column": column},
        f"{column} is never empty (required by the contract)",
        columns=(column,),
    )


def in_set(column: str, values: Sequence[Any], severity: str = CRITICAL, why: str = "") -> Rule:
    listed = ", ".join(str(value) for value in values)
    return Rule(
        f"{column}_accepted",
        "ExpectColumnValuesToBeInSet",
        {"column": column, "value_set": list(values)},
        f"{column} is one of {listed}" + (f" ({why})" if why else ""),
        severity,
        (column,),
    )


def between(
    column: str,
    low: float | None,
    high: float | None,
    severity: str = CRITICAL,
    strict_low: bool = False,
    why: str = "",
) -> Rule:
    kwargs: dict[str, Any] = {"column": column}
    if low is not None:
        kwargs["min_value"] = low
        if strict_low:
            kwargs["strict_min"] = True
    if high is not None:
        kwargs["max_value"] = high
    if high is None:
        text = f"{column} {'>' if strict_low else '>='} {low}"
    elif low is None:
        text = f"{column} <= {high}"
    else:
        text = f"{column} between {low} and {high}"
    return Rule(
        f"{column}_range",
        "ExpectColumnValuesToBeBetween",
        kwargs,
        text + (f" ({why})" if why else ""),
        severity,
        (column,),
    )


def matches(column: str, regex: str, description: str, severity: str = CRITICAL) -> Rule:
    return Rule(
        f"{column}_format",
        "ExpectColumnValuesToMatchRegex",
        {"column": column, "regex": regex},
        description,
        severity,
        (column,),
    )


def no_rows(name: str, query: str, description: str, severity: str = CRITICAL, columns: Sequence[str] = ()) -> Rule:
    """Fails when the query (over ``{batch}``, the feed's rows of the day) returns any row.

    GX substitutes ``{batch}`` with ``(<the day's rows>) AS subselect``, except in a query that
    contains a JOIN, where it substitutes ``(<the day's rows>)`` and the query names it itself
    (``{batch} as dep``). So: queries without a join use bare column names; queries with one
    alias the batch and qualify every column.
    """
    has_join = " join " in f" {query.lower()} ".replace("\n", " ")
    if has_join != ("{batch} as " in query):
        raise ValueError(f"rule {name}: alias {{batch}} exactly when the query has a join:\n{query}")
    return Rule(
        name,
        "UnexpectedRowsExpectation",
        {"unexpected_rows_query": query.strip()},
        description,
        severity,
        tuple(columns),
    )


def _show(alias: str, columns: Sequence[str]) -> str:
    return ", ".join(f"{alias}.{column}" for column in columns)


def reference(
    name: str,
    source: Feed,
    columns: Sequence[str],
    target: Feed,
    target_columns: Sequence[str],
    description: str,
    severity: str = CRITICAL,
    only_when: str | None = None,
) -> Rule:
    """Rows of ``source`` whose ``columns`` (when given) have no row in ``target`` of the same day.

    The join on ``biz_date`` keeps the other feed to the same business date (PostgreSQL prunes
    its other partitions). ``only_when`` restricts the rows checked (e.g. ``rel.acct_type =
    'DEP'``).
    """
    alias = source.table
    ref = "ref" if target.table == alias else target.table
    on = " and ".join(f"{ref}.{t} = {alias}.{c}" for c, t in zip(columns, target_columns, strict=True))
    shown = [*source.key, *[c for c in columns if c not in source.key]]
    # Only the first column says whether a reference is given: a composite one with a later part
    # empty (a DEP relation without sub_acct_no) matches nothing and is reported.
    present = f"{alias}.{columns[0]} is not null"
    conditions = [*([only_when] if only_when else []), present, f"{ref}.{target_columns[0]} is null"]
    joins = f"left join raw.{target.table} as {ref}\n    on {ref}.biz_date = {alias}.biz_date and {on}"
    query = f"select {_show(alias, shown)}\nfrom {{batch}} as {alias}\n{joins}\nwhere " + "\n    and ".join(conditions)
    return no_rows(name, query, description, severity, columns)


# ---------------------------------------------------------------------------------------------
# From the contract as data: every feed gets these.


def key_unique(source: Feed) -> Rule:
    """The key appears once in the day (grouping treats empty parts as equal, unlike a join)."""
    key = ", ".join(source.key)
    query = f"select {key}, count(*) as row_count\nfrom {{batch}}\ngroup by {key}\nhaving count(*) > 1"
    return no_rows("key_unique", query, f"the key ({key}) is unique within the day", CRITICAL, source.key)


def columns_as_contract(source: Feed) -> Rule:
    names = [*source.column_names, *LOAD_COLUMNS]
    return Rule(
        "columns",
        "ExpectTableColumnsToMatchOrderedList",
        {"column_list": names},
        "the table has exactly the contract's columns, in order, then biz_date and load_id",
    )


def types_as_contract(source: Feed) -> Rule:
    """Each column's PostgreSQL type, read with pg_typeof from the day's first row.

    (GX's column-type expectation cannot see the types of a query asset's columns.) An empty day
    has no first row and passes; ``columns`` still checks the names, ``not_empty`` the rows.
    """
    expected = {column.name: PG_TYPES[column.type] for column in source.columns} | LOAD_COLUMNS
    values = ",\n    ".join(
        f"('{name}', '{pg_type}', pg_typeof(first_row.{name})::text)" for name, pg_type in expected.items()
    )
    query = (
        "select checked.column_name, checked.expected_type, checked.actual_type\n"
        "from (select * from {batch} as day_rows limit 1) as first_row\n"
        f"cross join lateral (values\n    {values}\n) as checked (column_name, expected_type, actual_type)\n"
        "where checked.actual_type <> checked.expected_type"
    )
    return no_rows("types", query, "every column has the contract's type (text, date, numeric, integer, boolean)")


def not_empty(source: Feed) -> Rule:
    return Rule(
        "not_empty",
        "ExpectTableRowCountToBeBetween",
        {"min_value": 1},
        "a snapshot feed is never empty (it holds the full state at the end of the day)",
    )


def contract_rules(source: Feed) -> list[Rule]:
    rules = [columns_as_contract(source), types_as_contract(source)]
    if source.kind == "snapshot":
        rules.append(not_empty(source))
    rules += [not_null(column.name) for column in source.columns if column.required]
    rules.append(key_unique(source))
    return rules


# ---------------------------------------------------------------------------------------------
# From the contract's prose, feed by feed.

ORG, EMP, CUST, FX, DEP, LOAN, GL, CARD, FEE, INTL, FTP, REL = (
    feed(code) for code in ("ORG", "EMP", "CUST", "FX", "DEP", "LOAN", "GL", "CARD", "FEE", "INTL", "FTP", "REL")
)


def org_exists(source: Feed, column: str = "org_id", severity: str = CRITICAL) -> Rule:
    return reference(
        f"{column}_in_org",
        source,
        [column],
        ORG,
        ["org_id"],
        f"{column} is an institution in ORG of the same day",
        severity,
    )


def currency_exists(source: Feed) -> Rule:
    return reference(
        "currency_in_fx",
        source,
        ["currency"],
        FX,
        ["currency"],
        "currency is in FX of the same day (needed to convert to CNY)",
    )


def customer_exists(source: Feed) -> Rule:
    return reference(
        "cust_id_in_cust",
        source,
        ["cust_id"],
        CUST,
        ["cust_id"],
        "cust_id, when given, is a customer in CUST of the same day",
        WARNING,
    )


def employee_exists(source: Feed, column: str, severity: str = WARNING) -> Rule:
    return reference(
        f"{column}_in_emp",
        source,
        [column],
        EMP,
        ["emp_id"],
        f"{column}, when given, is an employee in EMP of the same day",
        severity,
    )


def transaction_of_the_day(source: Feed) -> Rule:
    query = f"select {', '.join(source.key)}, txn_date\nfrom {{batch}}\nwhere txn_date <> biz_date"
    return no_rows(
        "txn_date_is_biz_date",
        query,
        "txn_date is the business date (a transaction feed holds D's events)",
        WARNING,
        ["txn_date"],
    )


def _org_rules() -> list[Rule]:
    root = "select org_id, org_level, parent_org_id\nfrom {batch}\nwhere (parent_org_id is null) <> (org_level = 1)"
    head_offices = "select count(*) as head_offices\nfrom {batch}\nwhere org_level = 1\nhaving count(*) <> 1"
    return [
        in_set("org_level", ORG_LEVELS),
        in_set("org_type", ORG_TYPES),
        in_set("status", ORG_STATUSES),
        no_rows("one_head_office", head_offices, "exactly one institution has org_level 1 (the head office)"),
        no_rows(
            "root_is_head_office",
            root,
            "parent_org_id is empty for the head office and only for it",
            columns=["parent_org_id"],
        ),
        reference(
            "parent_org_id_in_org",
            ORG,
            ["parent_org_id"],
            ORG,
            ["org_id"],
            "parent_org_id, when given, is an institution in ORG of the same day",
        ),
    ]


def _emp_rules() -> list[Rule]:
    left = "select emp_id, status, leave_date\nfrom {batch}\nwhere status = 'L' and leave_date is null"
    return [
        in_set("status", EMP_STATUSES),
        in_set("post_code", EMP_POSTS),
        org_exists(EMP),
        no_rows(
            "leaver_has_leave_date",
            left,
            "an employee who has left (status L) has a leave_date",
            WARNING,
            ["leave_date"],
        ),
    ]


def _cust_rules() -> list[Rule]:
    return [in_set("cust_type", CUST_TYPES), org_exists(CUST, "open_org_id", WARNING)]


def _fx_rules() -> list[Rule]:
    cny = (
        "select count(*) filter (where currency = 'CNY' and cny_rate = 1) as cny_at_par\nfrom {batch}\n"
        "having count(*) filter (where currency = 'CNY' and cny_rate = 1) <> 1"
    )
    return [
        matches("currency", r"^[A-Z]{3}$", "currency is a three-letter ISO 4217 code"),
        between("cny_rate", 0, None, strict_low=True, why="CNY per unit"),
        in_set("dep_day_basis", DAY_BASES),
        in_set("loan_day_basis", DAY_BASES),
        no_rows("cny_at_par", cny, "CNY is listed once, at rate 1", columns=["currency", "cny_rate"]),
    ]


def _account_rules(source: Feed) -> list[Rule]:
    """What DEP and LOAN share."""
    closed = (
        f"select {', '.join(source.key)}, acct_status, balance\nfrom {{batch}}\n"
        "where acct_status = 'C' and balance <> 0"
    )
    return [
        in_set("term_code", TERM_CODES),
        between("balance", 0, None),
        between("annual_rate", RATE_MIN, RATE_MAX, why="annual percent"),
        org_exists(source),
        currency_exists(source),
        customer_exists(source),
        employee_exists(source, "mgr_emp_id"),
        no_rows(
            "closed_has_zero_balance",
            closed,
            "a closed account (status C) has balance 0",
            WARNING,
            ["acct_status", "balance"],
        ),
    ]


def _dep_rules() -> list[Rule]:
    return [
        in_set("acct_status", ACCT_STATUSES),
        in_set("deposit_class", DEPOSIT_CLASSES),
        *_account_rules(DEP),
    ]


def _loan_rules() -> list[Rule]:
    return [
        in_set("acct_status", ACCT_STATUSES, WARNING, why="the contract lists statuses for deposits only"),
        in_set("loan_method", LOAN_METHODS),
        in_set("five_class", FIVE_CLASSES, why="1 normal to 5 loss"),
        between("impairment", 0, None),
        between("accrued_unpaid_int", 0, None),
        between("risk_weight", 0, RISK_WEIGHT_MAX, why="percent"),
        *_account_rules(LOAN),
    ]


def _gl_rules() -> list[Rule]:
    side = (
        "select org_id, subject_code, currency, dr_cr\nfrom {batch}\n"
        "where (subject_code like '1%' and dr_cr <> 'D') or (subject_code like '2%' and dr_cr <> 'C')"
    )
    return [
        in_set("dr_cr", DR_CR),
        between("balance", 0, None, why="positive on its own side"),
        org_exists(GL),
        currency_exists(GL),
        no_rows(
            "side_of_subject",
            side,
            "asset subjects (1xxx) are debit, liability subjects (2xxx) credit",
            WARNING,
            ["subject_code", "dr_cr"],
        ),
    ]


def _card_rules() -> list[Rule]:
    return [
        in_set("card_type", CARD_TYPES),
        in_set("card_status", CARD_STATUSES),
        org_exists(CARD),
        customer_exists(CARD),
        reference(
            "acct_no_in_dep",
            CARD,
            ["acct_no"],
            DEP,
            ["acct_no"],
            "acct_no, when given, is a deposit account in DEP of the same day",
            WARNING,
        ),
        employee_exists(CARD, "emp_id"),
    ]


def _fee_rules() -> list[Rule]:
    account = (
        "select fee.txn_id, fee.acct_no\nfrom {batch} as fee\n"
        "left join raw.dep as dep on dep.biz_date = fee.biz_date and dep.acct_no = fee.acct_no\n"
        "left join raw.loan as loan on loan.biz_date = fee.biz_date and loan.acct_no = fee.acct_no\n"
        "where fee.acct_no is not null and dep.acct_no is null and loan.acct_no is null"
    )
    return [
        in_set("biz_line", BIZ_LINES),
        transaction_of_the_day(FEE),
        between("amount", 0, None, WARNING, why="a negative fee is a refund"),
        org_exists(FEE),
        currency_exists(FEE),
        customer_exists(FEE),
        no_rows(
            "acct_no_in_dep_or_loan",
            account,
            "acct_no, when given, is an account in DEP or LOAN of the same day",
            WARNING,
            ["acct_no"],
        ),
        employee_exists(FEE, "emp_id"),
    ]


def _intl_rules() -> list[Rule]:
    return [
        in_set("settle_type", SETTLE_TYPES),
        transaction_of_the_day(INTL),
        between("amount", 0, None, WARNING, strict_low=True),
        org_exists(INTL),
        currency_exists(INTL),
        customer_exists(INTL),
        employee_exists(INTL, "emp_id"),
    ]


def _account_of(source: Feed, acct_type: str, account: Feed, severity: str, description: str) -> Rule:
    alias = source.table
    return reference(
        f"{account.table}_account_exists",
        source,
        ["acct_no", "sub_acct_no"],
        account,
        ["acct_no", "sub_acct_no"],
        description,
        severity,
        only_when=f"{alias}.acct_type = '{acct_type}'",
    )


def _ftp_rules() -> list[Rule]:
    later = "select acct_type, acct_no, sub_acct_no, effective_date\nfrom {batch}\nwhere effective_date > biz_date"
    return [
        in_set("acct_type", FTP_ACCT_TYPES),
        between("ftp_rate", RATE_MIN, RATE_MAX, why="annual percent"),
        no_rows(
            "effective_by_biz_date", later, "effective_date is not after the business date", WARNING, ["effective_date"]
        ),
        _account_of(FTP, "DEP", DEP, WARNING, "a DEP price is for an account in DEP of the same day"),
        _account_of(FTP, "LOAN", LOAN, WARNING, "a LOAN price is for an account in LOAN of the same day"),
    ]


def _rel_rules() -> list[Rule]:
    card = reference(
        "card_exists",
        REL,
        ["acct_no"],
        CARD,
        ["card_no"],
        "a CARD relation's acct_no is a card in CARD of the same day",
        WARNING,
        only_when="rel.acct_type = 'CARD'",
    )
    # Each institution's virtual "public owner" V<org_id> is in no EMP snapshot but is a valid owner.
    employee = (
        "select rel.acct_type, rel.acct_no, rel.sub_acct_no, rel.emp_id, rel.start_date\n"
        "from {batch} as rel\n"
        "left join raw.emp as emp on emp.biz_date = rel.biz_date and emp.emp_id = rel.emp_id\n"
        "left join raw.org as org on org.biz_date = rel.biz_date and 'V' || org.org_id = rel.emp_id\n"
        "where emp.emp_id is null and org.org_id is null"
    )
    left = (
        "select rel.acct_type, rel.acct_no, rel.sub_acct_no, rel.emp_id, rel.start_date, emp.leave_date\n"
        "from {batch} as rel\n"
        "join raw.emp as emp on emp.biz_date = rel.biz_date and emp.emp_id = rel.emp_id\n"
        "where emp.status = 'L'\n    and rel.start_date <= rel.biz_date\n"
        "    and (rel.end_date is null or rel.end_date >= rel.biz_date)"
    )
    backwards = (
        "select acct_type, acct_no, sub_acct_no, emp_id, start_date, end_date\nfrom {batch}\n"
        "where end_date < start_date"
    )
    return [
        in_set("acct_type", REL_ACCT_TYPES),
        between("share_pct", 0, 100, why="percent of the account"),
        _account_of(REL, "DEP", DEP, WARNING, "a DEP relation is for an account in DEP of the same day"),
        _account_of(REL, "LOAN", LOAN, WARNING, "a LOAN relation is for an account in LOAN of the same day"),
        card,
        no_rows(
            "emp_id_in_emp",
            employee,
            "emp_id is an employee in EMP, or an institution's public owner V<org_id>, of the same day",
            WARNING,
            columns=["emp_id"],
        ),
        no_rows(
            "emp_id_active",
            left,
            "an open relation is not held by an employee who has left (status L)",
            WARNING,
            ["emp_id"],
        ),
        no_rows(
            "end_not_before_start",
            backwards,
            "end_date, when given, is not before start_date",
            WARNING,
            ["start_date", "end_date"],
        ),
    ]


_FEED_RULES = {
    "ORG": _org_rules,
    "EMP": _emp_rules,
    "CUST": _cust_rules,
    "FX": _fx_rules,
    "DEP": _dep_rules,
    "LOAN": _loan_rules,
    "GL": _gl_rules,
    "CARD": _card_rules,
    "FEE": _fee_rules,
    "INTL": _intl_rules,
    "FTP": _ftp_rules,
    "REL": _rel_rules,
}


def rules_for(code: str) -> list[Rule]:
    """Every rule of one feed: the contract's, then the feed's own; names are unique within the feed."""
    source = feed(code)
    rules = contract_rules(source) + _FEED_RULES[source.code]()
    names = [rule.name for rule in rules]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"feed {source.code}: rule names used twice: {duplicates}")
    for rule in rules:  # every rule has its policy class's severity
        rule_class(rule.name, rule.severity)
    return rules


def all_rules() -> dict[str, list[Rule]]:
    return {code: rules_for(code) for code in feeds()}
