"""Set-level rules of the indicator inputs (plans, appraisal scores), registered in ``rules.RULES``.

The indicator catalogue is data (``seeds/indicator_catalogue.csv``); a plan must name one of its
indicators and a period whose length the indicator takes (rules.md, Plans: `_Y` indicators take
year plans, `_Q` quarter plans, `_M` month plans, point indicators any plan).
"""

from __future__ import annotations

import csv
import re
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


RULES = {function.__name__: function for function in (known_indicator_period, known_period, qualitative_score_range)}
