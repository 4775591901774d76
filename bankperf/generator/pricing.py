"""Account transfer prices confirmed by head office (FTP feed).

About four accounts in five get an individual price when they open (the rest
are priced from the curve by the warehouse). Now and then head office reprices
an account: the snapshot then shows the new rate with the new effective date.
"""

from __future__ import annotations

import numpy as np

from .catalog import FTP_DEPOSIT_CURVE, FTP_FOREIGN_SPREAD, FTP_LOAN_CURVE
from .dates import date_strs
from .fmt import rates

PRICED_SHARE = 0.8
REPRICE_PER_DAY = 0.0003


def curve_rates(rng: np.random.Generator, acct_type: str, ccy: np.ndarray, term: np.ndarray) -> np.ndarray:
    """A negotiated price near the curve: millionths of a percent, on 0.01 % steps."""
    curve = np.array(FTP_DEPOSIT_CURVE if acct_type == "DEP" else FTP_LOAN_CURVE)
    spread = np.array([FTP_FOREIGN_SPREAD[c] for c in range(len(FTP_FOREIGN_SPREAD))])
    pct = curve[term] + spread[ccy] + rng.integers(-15, 16, len(term)) / 100
    return (np.round(np.maximum(pct, 0.05) * 100).astype(np.int64) * 10_000)


def price_lines(acct_type: str, accts: np.ndarray, subs: np.ndarray, rate: np.ndarray, eff: np.ndarray) -> list[str]:
    rate_s = rates(rate)
    eff_s = date_strs(eff).tolist()
    return [f"{acct_type}|{a}|{s}|{r}|{e}" if r_ else ""
            for a, s, r, e, r_ in zip(accts.tolist(), subs.tolist(), rate_s, eff_s, (rate > 0).tolist(), strict=True)]


def assign(rng: np.random.Generator, acct_type: str, accts: np.ndarray, subs: np.ndarray, ccy: np.ndarray,
           term: np.ndarray, open_days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Prices of new accounts: (rate or 0 when unpriced, effective day, FTP line or '')."""
    n = len(accts)
    priced = rng.random(n) < PRICED_SHARE
    rate = np.where(priced, curve_rates(rng, acct_type, ccy, term), 0)
    eff = open_days.astype(np.int32)
    line = np.empty(n, dtype=object)
    line[:] = price_lines(acct_type, accts, subs, rate, eff)
    return rate, eff, line


def reprice(rng: np.random.Generator, acct_type: str, accts: np.ndarray, subs: np.ndarray, ccy: np.ndarray,
            term: np.ndarray, rate: np.ndarray, eff: np.ndarray, line: np.ndarray, alive: np.ndarray,
            today: int) -> int:
    """Give a few accounts a new price from today (in place); returns how many."""
    hit = np.flatnonzero(alive & (rng.random(len(rate)) < REPRICE_PER_DAY))
    if len(hit) == 0:
        return 0
    rate[hit] = curve_rates(rng, acct_type, ccy[hit], term[hit])
    eff[hit] = today
    line[hit] = price_lines(acct_type, accts[hit], subs[hit], rate[hit], eff[hit])
    return len(hit)
