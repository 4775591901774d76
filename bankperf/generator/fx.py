"""Currencies and their daily CNY rates (FX feed).

Rates follow small daily random walks; HKD stays close to its peg to USD.
The day's rate is rounded to the six decimals the file carries, so what the
bank uses internally is exactly what it publishes.
"""

from __future__ import annotations

import numpy as np

from .catalog import CURRENCIES, HKD, USD

_VOLATILITY = np.array([0.0, 0.0015, 0.0, 0.0035, 0.0045, 0.0035])
_HKD_PEG = 7.80


class FxTable:
    def __init__(self) -> None:
        self.rate = np.array([c.cny_rate for c in CURRENCIES])

    def step(self, rng: np.random.Generator) -> None:
        shock = _VOLATILITY * rng.standard_normal(len(self.rate))
        self.rate = self.rate * np.exp(shock)
        self.rate[HKD] = self.rate[USD] / _HKD_PEG * (1 + 0.0003 * rng.standard_normal())
        self.rate[0] = 1.0
        self.rate = np.round(self.rate, 6)

    def lines(self) -> list[str]:
        return [f"{c.code}|{c.name}|{r:.6f}|{c.dep_basis}|{c.loan_basis}"
                for c, r in zip(CURRENCIES, self.rate.tolist(), strict=True)]
