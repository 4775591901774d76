"""The session's built warehouse (``conftest.built_warehouse``): what its bank holds.

A small generated bank (300 accounts, seed 42; files for 30 Dec 2025 .. 1 Jan 2026) of which the first
two days are run through the real nightly job (``bankperf run``: loads, checks, dbt build, publication)
once per session; the third day stays delivered but not run, for a module that wants to run a night
itself. Four customers carry names a spreadsheet would read as formulas (``=``, ``+``, ``-``, ``@``
first), as a careless or hostile core system might deliver them: whatever shows or exports names must
keep them text (the portal's tests check it).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bankperf.generator import generate
from tests.deliveries import write_feed

DAYS = (dt.date(2025, 12, 30), dt.date(2025, 12, 31), dt.date(2026, 1, 1))
BUILT = DAYS[:2]  # run through the nightly job; DAYS[2] is only delivered
ACCOUNTS = 300
SEED = 42
FORMULA_NAMES = ("=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-3+4", "@SUM(A1)")


def write_bank(inbox: Path) -> list[str]:
    """Generate the bank's files into ``inbox``; returns the customers renamed with FORMULA_NAMES (in order)."""
    generate(inbox, DAYS[0], len(DAYS), accounts=ACCOUNTS, seed=SEED, progress=False)
    renamed: list[str] = []
    for day in DAYS:
        path = inbox / f"{day:%Y%m%d}" / f"CUST_{day:%Y%m%d}.dat"
        lines = path.read_text(encoding="utf-8").splitlines()
        for index, name in enumerate(FORMULA_NAMES):
            fields = lines[index].split("|")
            fields[1] = name
            lines[index] = "|".join(fields)
            if day == DAYS[0]:
                renamed.append(fields[0])
        write_feed(inbox, "CUST", day, lines)  # (its control file rewritten to match)
    return renamed
