"""Synthetic core-banking system that writes the daily interface files.

`generate()` simulates a fictitious Chinese city commercial bank day by day
from a seed and writes, per business date, the files of the interface contract
(shared/interface/README.md): every feed's .dat and .ctl, then READY. The same
arguments always give byte-identical files, and day k does not depend on how
many days are generated, so a longer run extends a shorter one.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .bank import Bank
from .dates import Day
from .writer import normalise_encoding, write_day

__all__ = ["GenerationSummary", "generate"]


@dataclass(frozen=True)
class GenerationSummary:
    """What a run wrote."""

    out: Path
    first_date: dt.date
    days_written: int
    rows_last_day: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def last_date(self) -> dt.date:
        return self.first_date + dt.timedelta(days=max(self.days_written - 1, 0))


def generate(out: Path, start: dt.date, days: int, accounts: int = 20000, seed: int = 42,
             encoding: str = "UTF-8", gl_breaks: Sequence[dt.date] = (), progress: bool = True) -> GenerationSummary:
    """Write `days` consecutive business dates of interface files under `out/<YYYYMMDD>/`.

    `accounts` is the number of deposit sub-accounts at the start; every other
    population scales with it. On each date in `gl_breaks` a few GL lines
    disagree with the account detail (for reconciliation tests); nothing else
    changes on those days. Existing files of the generated dates are replaced.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    encoding = normalise_encoding(encoding)
    out = Path(out)
    start = _as_date(start)
    breaks = {_as_date(d) for d in gl_breaks}
    began = time.perf_counter()
    bank = Bank(seed, accounts, Day(0, start))
    counts: dict[str, int] = {}
    if progress:
        print(f"bankperf generate: opening population built in {time.perf_counter() - began:.1f}s "
              f"({accounts:,} deposit accounts)", file=sys.stderr)
    bar = _progress(days, progress)
    for k in range(days):
        tick = time.perf_counter()
        day = Day(k, start + dt.timedelta(days=k))
        feeds = bank.simulate(day, gl_break=day.date in breaks)
        counts = write_day(out / day.text, day.text, feeds, encoding)
        if bar is not None:
            bar.set_postfix_str(f"{day.text} DEP={counts['DEP']:,} LOAN={counts['LOAN']:,} "
                                f"FEE={counts['FEE']:,} {time.perf_counter() - tick:.1f}s/day")
            bar.update(1)
    if bar is not None:
        bar.close()
    return GenerationSummary(out, start, days, counts, time.perf_counter() - began)


def _as_date(value: dt.date) -> dt.date:
    """Accept a datetime where a date is meant (only the calendar day matters)."""
    return value.date() if isinstance(value, dt.datetime) else value


def _progress(days: int, enabled: bool) -> Any:
    """A tqdm bar on stderr, or None when disabled."""
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=days, unit="day", file=sys.stderr, desc="generate")
