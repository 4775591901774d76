"""Appraisal periods as the office names them: a year (2026), a quarter (2026Q1) or a month (2026-03)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from bankperf.manage.plan_rules import period_grain


@dataclass(frozen=True)
class Period:
    code: str  # 2026, 2026Q1, 2026-03
    period_type: str  # YEAR, QUARTER, MONTH (the scorecard's period_type)
    start: dt.date
    end: dt.date


def parse(code: str) -> Period:
    text = code.strip().upper()
    grain = period_grain(text)
    if grain is None:
        raise ValueError(f"{code!r} is not a period: a year (2026), a quarter (2026Q1) or a month (2026-03)")
    year = int(text[:4])
    if grain == "YEAR":
        first_month, last_month = 1, 12
    elif grain == "QUARTER":
        quarter = int(text[5])
        first_month, last_month = 3 * quarter - 2, 3 * quarter
    else:
        first_month = last_month = int(text[5:7])
    end = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
    return Period(text, grain, dt.date(year, first_month, 1), end)
