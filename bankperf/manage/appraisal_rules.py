"""Set-level rules of the appraisal-cycle inputs (issue 15: 360-degree ratings, grade quotas and
decisions, manual indicators), registered in ``rules.RULES``.

Roles and grades are those of the scheme seeds (``seeds/assessment_roles.csv``,
``seeds/assessment_grades.csv``); manual indicators those of the catalogue with shape MANUAL.
"""

from __future__ import annotations

import csv
from collections import Counter
from decimal import Decimal
from functools import cache
from typing import Protocol

from bankperf.manage import plan_rules
from bankperf.settings import REPO_ROOT

SEEDS = REPO_ROOT / "seeds"


class _Row(Protocol):
    row_no: int
    values: dict[str, object]


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def role_codes() -> frozenset[str]:
    return frozenset(record["role_code"] for record in _seed("assessment_roles.csv"))


@cache
def grades() -> tuple[str, ...]:
    """The grades, best first (A+, A, B, C, D)."""
    ordered = sorted(_seed("assessment_grades.csv"), key=lambda record: int(record["sort_order"]))
    return tuple(dict.fromkeys(record["grade"] for record in ordered))


@cache
def manual_indicators() -> dict[str, str]:
    """Manual indicator code -> its plan period (YEAR, QUARTER, MONTH)."""
    return {record["indicator_code"]: record["plan_period"]
            for record in _seed("indicator_catalogue.csv") if record["shape"] == "MANUAL"}


def known_role(rows: list[_Row]) -> list[str]:
    return [f"row {row.row_no}: role {row.values['role_code']!r} is not in seeds/assessment_roles.csv "
            f"({', '.join(sorted(role_codes()))})" for row in rows if row.values["role_code"] not in role_codes()]


def known_grade(rows: list[_Row]) -> list[str]:
    return [f"row {row.row_no}: grade {row.values['grade']!r} is not one of {', '.join(grades())}"
            for row in rows if row.values["grade"] not in grades()]


def _sum_to_100(rows: list[_Row], column: str, what: str) -> list[str]:
    total = sum((Decimal(row.values[column]) for row in rows), Decimal(0))  # type: ignore[arg-type]
    return [] if total == 100 else [f"{what} sum to {total} %, they must sum to exactly 100 %"]


def weights_sum_to_100(rows: list[_Row]) -> list[str]:
    return _sum_to_100(rows, "weight_pct", "the rater types' weights")


def quotas_sum_to_100(rows: list[_Row]) -> list[str]:
    return _sum_to_100(rows, "quota_pct", "the grades' quotas")


def _once(rows: list[_Row], columns: tuple[str, ...], what: str) -> list[str]:
    counts = Counter(tuple(row.values[name] for name in columns) for row in rows)
    return [f"{what} {'/'.join(map(str, key))} appears {count} times; once per set"
            for key, count in sorted(counts.items(), key=str) if count > 1]


def one_row_per_rater_type(rows: list[_Row]) -> list[str]:
    return _once(rows, ("rater_type",), "rater type")


def one_row_per_grade(rows: list[_Row]) -> list[str]:
    return _once(rows, ("grade",), "grade")


def one_row_per_rater(rows: list[_Row]) -> list[str]:
    return _once(rows, ("rater_type", "rater_id"), "rater")


def one_row_per_item(rows: list[_Row]) -> list[str]:
    return _once(rows, ("component", "item_code"), "item")


def self_rates_self(rows: list[_Row]) -> list[str]:
    """A SELF rating is the ratee's own; any other type is someone else."""
    messages = []
    for row in rows:
        is_self = row.values["rater_id"] == row.values["emp_id"]
        if row.values["rater_type"] == "SELF" and not is_self:
            messages.append(f"row {row.row_no}: a SELF rater is the ratee {row.values['emp_id']}, "
                            f"not {row.values['rater_id']}")
        elif row.values["rater_type"] != "SELF" and is_self:
            messages.append(f"row {row.row_no}: {row.values['emp_id']} rates itself as {row.values['rater_type']}; "
                            "a self-rating is rater_type SELF")
    return messages


def manual_indicator_period(rows: list[_Row]) -> list[str]:
    """A manual indicator of the catalogue, for a period of its plan period (2026Q1 for a _Q one)."""
    messages = []
    for row in rows:
        code, period = str(row.values["indicator_code"]), str(row.values["period"])
        wanted = manual_indicators().get(code)
        grain = plan_rules.period_grain(period)
        if wanted is None:
            messages.append(f"row {row.row_no}: {code!r} is not a manual indicator (shape MANUAL) of "
                            f"seeds/indicator_catalogue.csv ({', '.join(sorted(manual_indicators()))})")
        elif grain is None:
            messages.append(f"row {row.row_no}: period {period!r} is not a year (2026), a quarter (2026Q1) "
                            "or a month (2026-03)")
        elif grain != wanted:
            messages.append(f"row {row.row_no}: {code} is a {wanted.lower()} indicator; period {period} "
                            f"is a {grain.lower()}")
    return messages


RULES = {
    function.__name__: function
    for function in (known_role, known_grade, weights_sum_to_100, quotas_sum_to_100, one_row_per_rater_type,
                     one_row_per_grade, one_row_per_rater, one_row_per_item, self_rates_self,
                     manual_indicator_period)
}
