"""General-ledger balances (GL feed).

For every institution x subject x currency that has deposit or loan accounts in
today's snapshot (a sub-account closed today counts, with its 0.00), the GL
balance is the exact integer-cent sum of the account balances - which is what
the warehouse reconciles against. The GL also carries subjects the warehouse
does not model (cash at every outlet, central-bank and interbank placements at
head office). On a requested "GL break" day a few modelled lines are made to
disagree with the detail, the way a late manual posting would.
"""

from __future__ import annotations

import numpy as np

from .catalog import (
    CCY_CODES,
    CNY,
    LOAN_SUBJECT_FIRST,
    S_CASH_CODE,
    S_CENTRAL_BANK_CODE,
    S_INTERBANK_ASSET_CODE,
    SUBJECTS,
)
from .fmt import cents
from .orgs import OrgTree

GlLine = tuple[str, str, str, str, int]  # org_id, subject, currency, side, cents


def detail_totals(tree: OrgTree, books: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]) -> list[GlLine]:
    """Sum balances per (org, subject, currency) over the given (org, subject, ccy, bal) columns."""
    org = np.concatenate([b[0] for b in books]).astype(np.int64)
    subject = np.concatenate([b[1] for b in books]).astype(np.int64)
    ccy = np.concatenate([b[2] for b in books]).astype(np.int64)
    bal = np.concatenate([b[3] for b in books]).astype(np.int64)
    if len(org) == 0:
        return []
    key = (org * 64 + subject) * 16 + ccy
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    starts = np.flatnonzero(np.r_[True, key_sorted[1:] != key_sorted[:-1]])
    sums = np.add.reduceat(bal[order], starts)
    out: list[GlLine] = []
    for k, total in zip(key_sorted[starts].tolist(), sums.tolist(), strict=True):
        o, rest = divmod(k, 64 * 16)
        s, c = divmod(rest, 16)
        side = "D" if s >= LOAN_SUBJECT_FIRST else "C"
        out.append((str(tree.ids[o]), SUBJECTS[s], CCY_CODES[c], side, int(total)))
    return out


class Ledger:
    """The unmodelled GL balances, which drift from day to day."""

    def __init__(self, rng: np.random.Generator, tree: OrgTree) -> None:
        self.tree = tree
        self.cash_orgs = tree.subs.copy()
        self.cash = (rng.uniform(0.5, 5.0, len(self.cash_orgs)) * 1_000_000 * 100).astype(np.int64)
        self.central = int(rng.uniform(2, 6) * 1e8 * 100) * max(1, len(tree.subs) // 9)
        self.placements = int(rng.uniform(1, 4) * 1e8 * 100) * max(1, len(tree.subs) // 9)

    def step(self, rng: np.random.Generator) -> None:
        self.cash = np.rint(self.cash * np.exp(0.05 * rng.standard_normal(len(self.cash)))).astype(np.int64)
        self.central = int(round(self.central * float(np.exp(0.01 * rng.standard_normal()))))
        self.placements = int(round(self.placements * float(np.exp(0.02 * rng.standard_normal()))))

    def other_lines(self) -> list[GlLine]:
        out: list[GlLine] = [(str(self.tree.ids[o]), S_CASH_CODE, CCY_CODES[CNY], "D", int(c))
                             for o, c in zip(self.cash_orgs.tolist(), self.cash.tolist(), strict=True)]
        out.append(("0001", S_CENTRAL_BANK_CODE, CCY_CODES[CNY], "D", self.central))
        out.append(("0001", S_INTERBANK_ASSET_CODE, CCY_CODES[CNY], "D", self.placements))
        return out


def break_lines(rng: np.random.Generator, detail: list[GlLine]) -> list[GlLine]:
    """Make 2-4 modelled lines disagree with the detail by 100.00 to 100,000.00 (up or down)."""
    if not detail:
        return detail
    out = list(detail)
    candidates = [i for i, line in enumerate(out) if line[4] > 0] or list(range(len(out)))
    k = min(len(candidates), int(rng.integers(2, 5)))
    for i in sorted(rng.choice(candidates, k, replace=False).tolist()):
        org, subject, ccy, side, total = out[i]
        delta = int(rng.integers(10_000, 10_000_001))
        if rng.random() < 0.5 and total - delta >= 0:
            delta = -delta
        out[i] = (org, subject, ccy, side, total + delta)
    return out


def gl_lines(detail: list[GlLine], other: list[GlLine]) -> list[str]:
    rows = sorted(detail + other, key=lambda x: (x[0], x[1], x[2]))
    amounts = cents(np.array([r[4] for r in rows], dtype=np.int64))
    return [f"{o}|{s}|{c}|{side}|{a}" for (o, s, c, side, _), a in zip(rows, amounts, strict=True)]
