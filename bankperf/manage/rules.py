"""Set-level rules of management inputs (named in kinds.yaml, one function each).

A rule receives the rows of one set (e.g. one account's owners from one date) and returns
messages for what breaks it; rows of a set being withdrawn (action RETIRE) pass every rule.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Protocol

from bankperf.manage import appraisal_rules, plan_rules
from bankperf.settings import REPO_ROOT

_VIRTUAL = re.compile(r"V\d+")
SUBJECT_PRODUCTS = REPO_ROOT / "seeds" / "subject_products.csv"
SPLIT_PORTIONS = {"ALL": {"ALL"}, "STOCK_INCREMENT": {"STOCK", "INCREMENT"}, "THRESHOLD": {"TIER_1", "TIER_2"}}


class _Row(Protocol):
    row_no: int
    values: dict[str, object]


def is_virtual(emp_id: str) -> bool:
    """Virtual managers are V<org_id> (interface README, EMP)."""
    return bool(_VIRTUAL.fullmatch(emp_id))


def _by_portion(rows: list[_Row]) -> dict[str, list[_Row]]:
    groups: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        groups[str(row.values.get("portion") or "ALL")].append(row)
    return groups


def end_after_start(rows: list[_Row]) -> list[str]:
    start_name = next(n for n in ("effective_date", "start_date", "transfer_date") if n in rows[0].values)
    return [f"row {row.row_no}: end_date {row.values['end_date']} is before {start_name} {row.values[start_name]}"
            for row in rows if row.values.get("end_date") and row.values["end_date"] < row.values[start_name]]


def portions_match_split(rows: list[_Row]) -> list[str]:
    splits = {row.values["split_type"] for row in rows}
    if len(splits) > 1:
        return [f"mixes split types {sorted(splits)}; one set has one split type"]
    split = splits.pop()
    portions = {row.values["portion"] for row in rows}
    expected = SPLIT_PORTIONS[split]
    if portions != expected:
        return [f"split_type {split} needs portions {sorted(expected)}, found {sorted(portions)}"]
    return []


def shares_sum_to_100(rows: list[_Row]) -> list[str]:
    messages = []
    for portion, members in _by_portion(rows).items():
        total = sum((Decimal(row.values["share_pct"]) for row in members), Decimal(0))
        if total != 100:
            messages.append(f"portion {portion}: shares sum to {total} %, they must sum to exactly 100 %")
        owners = [row.values["emp_id"] for row in members]
        if len(owners) != len(set(owners)):
            messages.append(f"portion {portion}: an employee appears twice")
    return messages


def _lead_messages(rows: list[_Row], required: bool) -> list[str]:
    messages = []
    for portion, members in _by_portion(rows).items():
        leads = [row for row in members if row.values.get("is_lead")]
        if len(leads) > 1 or (required and len(leads) != 1):
            messages.append(f"portion {portion}: {len(leads)} lead owners (主办); exactly one is needed")
        elif leads:
            largest = max(Decimal(row.values["share_pct"]) for row in members)
            if Decimal(leads[0].values["share_pct"]) < largest:
                messages.append(f"portion {portion}: the lead owner {leads[0].values['emp_id']} has "
                                f"{leads[0].values['share_pct']} %, less than the largest share {largest} %")
    return messages


def one_lead_per_portion(rows: list[_Row]) -> list[str]:
    return _lead_messages(rows, required=False)


def exactly_one_lead_largest(rows: list[_Row]) -> list[str]:
    return _lead_messages(rows, required=True)


def no_virtual_owner(rows: list[_Row]) -> list[str]:
    return [f"row {row.row_no}: {row.values['emp_id']} is a virtual manager; virtual managers take no share "
            "in an override (leave the remainder out instead)"
            for row in rows if row.values.get("emp_id") and is_virtual(str(row.values["emp_id"]))]


def institution_not_lead(rows: list[_Row]) -> list[str]:
    """An override may give a portion to an institution through its public owner V<org_id> (spec 1.5.2),
    but the lead owner (主办) is a person."""
    return [f"row {row.row_no}: {row.values['emp_id']} is an institution's public owner (virtual manager): it "
            "may take a share, but the lead owner (主办) is an employee"
            for row in rows if row.values.get("is_lead") and is_virtual(str(row.values["emp_id"]))]


def split_parameters(rows: list[_Row]) -> list[str]:
    split = rows[0].values["split_type"]
    messages = []
    for row in rows:
        values = row.values
        if split == "STOCK_INCREMENT":
            if values.get("stock_base") is None:
                messages.append(f"row {row.row_no}: STOCK_INCREMENT needs stock_base (PREV_YEAR_END or FIXED)")
            elif values["stock_base"] == "FIXED" and values.get("stock_base_amount") is None:
                messages.append(f"row {row.row_no}: stock_base FIXED needs stock_base_amount")
        if split == "THRESHOLD" and values.get("threshold_amount") is None:
            messages.append(f"row {row.row_no}: THRESHOLD needs threshold_amount")
    for name in ("stock_base", "stock_base_amount", "threshold_amount"):
        if len({row.values.get(name) for row in rows}) > 1:
            messages.append(f"{name} differs between rows of the set; it is one value per set")
    return messages


def carry_mode_consistent(rows: list[_Row]) -> list[str]:
    modes = {row.values["carry_mode"] for row in rows}
    if len(modes) > 1:
        return [f"mixes carry modes {sorted(modes)}"]
    mode = modes.pop()
    if mode == "LIST":
        return [f"row {row.row_no}: carry_mode LIST needs acct_type and acct_no"
                for row in rows if not row.values.get("acct_type") or not row.values.get("acct_no")]
    if len(rows) > 1 or rows[0].values.get("acct_no"):
        return [f"carry_mode {mode} is one row without accounts"]
    return []


def single_row(rows: list[_Row]) -> list[str]:
    """Kinds whose set is one value from a date (a policy, an adjustment): two rows would contradict."""
    if len(rows) > 1:
        return [f"rows {', '.join(str(row.row_no) for row in rows)} give the same set twice; it is one row"]
    return []


@cache
def product_lines() -> dict[str, set[str]]:
    """Product lines per account type, from the seed that defines them (seeds/subject_products.csv)."""
    lines: dict[str, set[str]] = defaultdict(set)
    with SUBJECT_PRODUCTS.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            if record["product_line"]:
                lines[record["acct_type"]].add(record["product_line"])
    return dict(lines)


def known_product_line(rows: list[_Row]) -> list[str]:
    """ALL, or a product line the seed gives to the row's account type."""
    messages = []
    for row in rows:
        acct_type, line = row.values["acct_type"], row.values["product_line"]
        known = product_lines().get(str(acct_type), set())
        if line != "ALL" and line not in known:
            messages.append(f"row {row.row_no}: product_line {line!r} is not ALL nor a {acct_type} product line "
                            f"of seeds/subject_products.csv ({', '.join(sorted(known))})")
    return messages


def first_of_month(rows: list[_Row]) -> list[str]:
    """Monthly inputs name their month by its first day (2026-03-01 is March 2026)."""
    name = "month" if "month" in rows[0].values else "effective_date"
    return [f"row {row.row_no}: {name} {row.values[name]} is not the first day of a month (write it as YYYY-MM-01)"
            for row in rows if row.values[name].day != 1]


RULES: dict[str, Callable[[list[_Row]], list[str]]] = {
    function.__name__: function
    for function in (end_after_start, portions_match_split, shares_sum_to_100, one_lead_per_portion,
                     exactly_one_lead_largest, no_virtual_owner, institution_not_lead, split_parameters,
                     carry_mode_consistent, single_row, known_product_line, first_of_month)
}
RULES.update(plan_rules.RULES)  # plans and appraisal scores (issue 6)
RULES.update(appraisal_rules.RULES)  # 360-degree ratings, grade quotas and decisions, manual indicators (issue 15)


def check(rule: str, rows: list[_Row]) -> list[str]:
    if any(row.values.get("action") == "RETIRE" for row in rows):
        return []
    return RULES[rule](rows)
