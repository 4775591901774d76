"""Calendar arithmetic on integer day numbers (days since 1970-01-01).

Account state lives in numpy arrays of day numbers so that a million maturity
checks are one vector comparison. Strings are produced only when a file is
written, through a lookup table, because formatting dates one by one is the
slow part of writing a large snapshot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import numpy as np

EPOCH = dt.date(1970, 1, 1)
NO_END = (dt.date(9999, 12, 31) - EPOCH).days  # "no maturity": written as 99991231
NO_DATE = -10_000_000  # null date: written as an empty field
_LUT_FIRST = (dt.date(1900, 1, 1) - EPOCH).days  # birth dates in ID numbers reach back that far
_LUT_DAYS = (dt.date(2200, 1, 1) - EPOCH).days - _LUT_FIRST


def day_number(d: dt.date) -> int:
    """The day number of a calendar date."""
    return (d - EPOCH).days


def to_date(n: int) -> dt.date:
    """The calendar date of a day number."""
    return EPOCH + dt.timedelta(days=int(n))


def ymd(n: int) -> str:
    """One day number as YYYYMMDD (NO_END and NO_DATE included)."""
    if n == NO_END:
        return "99991231"
    if n == NO_DATE:
        return ""
    return to_date(n).strftime("%Y%m%d")


@cache
def _lut() -> np.ndarray:
    """YYYYMMDD for every day 1900..2199, then '99991231' and '' as two extra slots."""
    days = np.arange(_LUT_FIRST, _LUT_FIRST + _LUT_DAYS, dtype="int64")
    iso = np.datetime_as_string(days.astype("datetime64[D]"))
    table = np.empty(_LUT_DAYS + 2, dtype=object)
    table[:_LUT_DAYS] = np.strings.replace(iso, "-", "").tolist()
    table[_LUT_DAYS] = "99991231"
    table[_LUT_DAYS + 1] = ""
    return table


def date_strs(days: np.ndarray) -> np.ndarray:
    """Vectorised ymd(): an object array of YYYYMMDD strings ('' for NO_DATE)."""
    raw = np.asarray(days, dtype=np.int64)
    idx = raw - _LUT_FIRST
    idx[raw == NO_END] = _LUT_DAYS
    idx[raw == NO_DATE] = _LUT_DAYS + 1
    return _lut()[idx]


def add_months(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Same day-of-month `months` later, clipped to the month's end (31 Jan + 1 = 28/29 Feb).

    This is how term deposits and loans mature: a one-year deposit of 29 Feb
    matures on 28 Feb next year.
    """
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    first = d.astype("datetime64[M]")
    dom = (d - first.astype("datetime64[D]")).astype(np.int64)
    target = first + np.asarray(months, dtype=np.int64)
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    out = target.astype("datetime64[D]") + np.minimum(dom, length - 1)
    return out.astype(np.int64).astype(np.int32)


def day_of_month(days: np.ndarray) -> np.ndarray:
    """1..31 for each day number."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return (d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1


@dataclass(frozen=True)
class Day:
    """One business date of the simulation and the calendar facts the behaviour keys on."""

    index: int  # 0 for the first generated day
    date: dt.date

    @property
    def number(self) -> int:
        return day_number(self.date)

    @property
    def text(self) -> str:
        return self.date.strftime("%Y%m%d")

    @property
    def days_to_month_end(self) -> int:
        """0 on the last day of the month: corporate balances peak on the last few."""
        nxt = (self.date.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return (nxt - self.date).days - 1

    @property
    def quarter_end_month(self) -> bool:
        return self.date.month in (3, 6, 9, 12)

    @property
    def weekend(self) -> bool:
        return self.date.weekday() >= 5

    @property
    def activity(self) -> float:
        """Relative business volume: outlets are open at weekends, but quieter."""
        return 0.4 if self.weekend else 1.0
