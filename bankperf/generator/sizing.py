"""How big each population is, derived from the one size knob: deposit accounts.

A real city commercial bank with 20,000 deposit accounts is a handful of
outlets; one with a million has about a hundred. Everything scales from the
ratio to the default size so small runs (tests) stay small but complete.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_ACCOUNTS = 200


@dataclass(frozen=True)
class Scale:
    accounts: int

    def __post_init__(self) -> None:
        if self.accounts < MIN_ACCOUNTS:
            raise ValueError(f"accounts must be at least {MIN_ACCOUNTS}, got {self.accounts}")

    @property
    def growth(self) -> float:
        """log2 of the size relative to the default 20,000 accounts (0 at or below it)."""
        return math.log2(max(1.0, self.accounts / 20_000))

    @property
    def branches(self) -> int:
        return min(8, 3 + round(1.3 * self.growth))

    @property
    def subs_per_branch(self) -> int:
        """Sub-branches per branch, the branch's own business hall (营业部) included."""
        return min(15, 3 + round(2 * self.growth))

    @property
    def corporate_departments(self) -> int:
        return 2 if self.growth < 2 else 4

    @property
    def teamed_subs(self) -> int:
        return max(1, self.branches * self.subs_per_branch // 8)

    @property
    def employees(self) -> int:
        """Target head count; the org structure may need a few more."""
        return max(30, self.accounts // 400)

    @property
    def loans(self) -> int:
        return max(20, round(0.09 * self.accounts))

    @property
    def cards(self) -> int:
        return max(20, round(0.40 * self.accounts))
