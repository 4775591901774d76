"""Set-level rules of the indicator and scheme inputs (plans, appraisal scores, indicator settings,
roles, weights, grades, FTP curves), registered in ``rules.RULES``.

The indicator catalogue is data (``seeds/indicator_catalogue.csv``); a plan must name one of its
indicators and a period whose length the indicator takes (rules.md, Plans: `_Y` indicators take
year plans, `_Q` quarter plans, `_M` month plans, point indicators any plan).
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from functools import cache
from typing import Protocol

from bankperf.settings import REPO_ROOT

CATALOGUE = REPO_ROOT / "seeds" / "indicator_catalogue.csv"
PERIODS = {
    "YEAR": re.compile(r"\d{4}"),
    "QUARTER": re.compile(r"\d{4}Q[1-4]"),
    "MONTH": re.compile(r"\d{4}-(0[1-9]|1[0-2])"),
}


class _Row(Protocol):
    row_no: int
    values: dict[str, object]


@cache
def plan_periods() -> dict[str, str]:
    """indicator_code → the plan period it takes (YEAR, QUARTER, MONTH or FINEST)."""
    with CATALOGUE.open(encoding="utf-8", newline="") as handle:
        return {record["indicator_code"]: record["plan_period"] for record in csv.DictReader(handle)}


def period_grain(period: str) -> str | None:
    """YEAR for 2026, QUARTER for 2026Q1, MONTH for 2026-03; None for anything else."""
    return next((grain for grain, pattern in PERIODS.items() if pattern.fullmatch(period)), None)


def _period_message(row: _Row) -> str | None:
    period = str(row.values["period"])
    if period_grain(period) is None:
        return (f"row {row.row_no}: period {period!r} is not a year (2026), a quarter (2026Q1) "
                "or a month (2026-03)")
    return None


def known_indicator_period(rows: list[_Row]) -> list[str]:
    messages = []
    for row in rows:
        code = str(row.values["indicator_code"])
        wanted = plan_periods().get(code)
        if wanted is None:
            messages.append(f"row {row.row_no}: indicator {code!r} is not in seeds/indicator_catalogue.csv")
            continue
        problem = _period_message(row)
        if problem:
            messages.append(problem)
        elif wanted != "FINEST" and period_grain(str(row.values["period"])) != wanted:
            messages.append(f"row {row.row_no}: {code} takes {wanted.lower()} plans; period "
                            f"{row.values['period']} is a {period_grain(str(row.values['period'])).lower()}")
    return messages


def known_period(rows: list[_Row]) -> list[str]:
    return [message for message in map(_period_message, rows) if message]


def qualitative_score_range(rows: list[_Row]) -> list[str]:
    """ABILITY and ATTITUDE are scores 0-100; MANUAL points may be negative (a deduction)."""
    return [f"row {row.row_no}: a {row.values['component']} score is 0-100, got {row.values['score']}"
            for row in rows
            if row.values["component"] != "MANUAL" and not 0 <= row.values["score"] <= 100]  # type: ignore[operator]


# --- the scheme as management input (issue 16) ---------------------------------------------------


def known_indicator(rows: list[_Row]) -> list[str]:
    """The indicator is one of the catalogue's (its definition lives there)."""
    return [f"row {row.row_no}: indicator {row.values['indicator_code']!r} is not in seeds/indicator_catalogue.csv"
            for row in rows if str(row.values["indicator_code"]) not in plan_periods()]


def weights_sum_to_100(rows: list[_Row]) -> list[str]:
    """A role's indicators of one period type share the whole performance score: weights sum to 100."""
    total = sum((Decimal(str(row.values["weight_pct"])) for row in rows), Decimal(0))
    return [] if total == 100 else [f"weights sum to {total} %, they must sum to exactly 100 %"]


def indicator_once(rows: list[_Row]) -> list[str]:
    seen: dict[str, int] = {}
    messages = []
    for row in rows:
        code = str(row.values["indicator_code"])
        if code in seen:
            messages.append(f"rows {seen[code]} and {row.row_no}: indicator {code} appears twice")
        seen.setdefault(code, row.row_no)
    return messages


def floor_below_cap(rows: list[_Row]) -> list[str]:
    return [f"row {row.row_no}: floor_pct {row.values['floor_pct']} is above cap_pct {row.values['cap_pct']}"
            for row in rows if row.values["floor_pct"] > row.values["cap_pct"]]  # type: ignore[operator]


def component_weights_sum_to_100(rows: list[_Row]) -> list[str]:
    """Performance, ability and attitude make the total score: their weights sum to 100."""
    messages = []
    for row in rows:
        names = ("performance_weight_pct", "ability_weight_pct", "attitude_weight_pct")
        total = sum((Decimal(str(row.values[name])) for name in names), Decimal(0))
        if total != 100:
            messages.append(f"row {row.row_no}: performance, ability and attitude weights sum to {total} %, "
                            "they must sum to exactly 100 %")
    return messages


def grade_scale_ordered(rows: list[_Row]) -> list[str]:
    """Best grade first; thresholds strictly descending with an open last grade, forced positions
    strictly ascending up to 100, so every score or position finds exactly one grade."""
    ordered = sorted(rows, key=lambda row: row.values["sort_order"])  # type: ignore[arg-type, return-value]
    messages = []
    orders = [row.values["sort_order"] for row in ordered]
    grades = [row.values["grade"] for row in ordered]
    if len(set(orders)) != len(orders):
        messages.append("sort_order repeats; each grade has its own place")
    if len(set(grades)) != len(grades):
        messages.append("a grade appears twice")
    if ordered[0].values["grade_method"] == "THRESHOLD":
        minimums = [row.values["min_total_score"] for row in ordered]
        if minimums[-1] is not None:
            messages.append(f"row {ordered[-1].row_no}: the last grade takes every lower score: leave "
                            "min_total_score empty")
        if any(value is None for value in minimums[:-1]):
            messages.append("every grade but the last needs min_total_score")
        elif any(later >= earlier for earlier, later in zip(minimums[:-2], minimums[1:-1], strict=True)):  # type: ignore[operator]
            messages.append(f"min_total_score must descend from the best grade: {minimums[:-1]}")
    else:
        positions = [row.values["max_position_pct"] for row in ordered]
        if any(value is None for value in positions):
            messages.append("every FORCED grade needs max_position_pct")
        elif any(later <= earlier for earlier, later in zip(positions, positions[1:], strict=False)):  # type: ignore[operator]
            messages.append(f"max_position_pct must ascend from the best grade: {positions}")
        elif positions[-1] != 100:
            messages.append(f"the last grade's max_position_pct is {positions[-1]}; it must be 100 "
                            "(everyone is graded)")
    return messages


def term_once(rows: list[_Row]) -> list[str]:
    terms = [row.values["term_months"] for row in rows]
    return [] if len(set(terms)) == len(terms) else ["a term point appears twice in one curve"]


RULES = {function.__name__: function for function in (
    known_indicator_period, known_period, qualitative_score_range, known_indicator, weights_sum_to_100,
    indicator_once, floor_below_cap, component_weights_sum_to_100, grade_scale_ordered, term_once)}
