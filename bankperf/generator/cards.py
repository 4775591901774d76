"""Bank cards (CARD feed): debit cards on a deposit account, credit cards.

Cards are issued not activated (U); most are activated a few days later, some
never are. Cards get reported lost (L) and found again or replaced, and get
cancelled (X) - cancelled cards stay in the snapshot with their cancel date.
Lines are cached per card and rebuilt only for cards that changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import ownership
from .catalog import CARD_STATUSES, CS_ACTIVE, CS_CANCELLED, CS_LOST, CS_NEW, PERSONAL
from .customers import Customers, cust_ids
from .dates import NO_DATE, Day, date_strs
from .staff import Staff
from .table import concat, size

DEBIT, CREDIT = 0, 1
_BIN = ("621788", "625888")
_TYPE = ("D", "C")


@dataclass
class CardRows:
    org: np.ndarray
    cust: np.ndarray
    kind: np.ndarray  # DEBIT / CREDIT
    status: np.ndarray
    issue: np.ndarray
    activate: np.ndarray
    cancel: np.ndarray
    never: np.ndarray  # int8: this card will never be activated
    card_no: np.ndarray  # object
    fixed: np.ndarray  # object: 'card|org|cust|acct|type|'
    emp_s: np.ndarray  # object
    line: np.ndarray  # object
    rel: np.ndarray  # object REL block


class Cards:
    def __init__(self, customers: Customers, staff: Staff, target: int) -> None:
        self.customers = customers
        self.staff = staff
        self.target = target
        self.rows: CardRows | None = None

    def __len__(self) -> int:
        return 0 if self.rows is None else size(self.rows)

    def issue(self, rng: np.random.Generator, cust: np.ndarray, kind: np.ndarray, issue_day: np.ndarray,
              status: np.ndarray, activate: np.ndarray, cancel: np.ndarray) -> None:
        """Add cards; numbers follow issue order."""
        n = len(cust)
        if n == 0:
            return
        order = np.lexsort((cust, issue_day))
        cust, kind, issue_day = cust[order], kind[order], issue_day[order]
        status, activate, cancel = status[order], activate[order], cancel[order]
        first = len(self)
        seq = np.arange(first + 1, first + n + 1)
        card_no = np.array([f"{_BIN[k]}{s:010d}" for k, s in zip(kind.tolist(), seq.tolist(), strict=True)],
                           dtype=object)
        org = self.customers.rows.org[cust]
        linked = (kind == DEBIT) | (rng.random(n) < 0.3)
        accts = np.array(self.customers.acct_numbers(cust), dtype=object)
        accts[~linked] = ""
        emp = np.where(rng.random(n) < 0.45, self.staff.pick_cm(rng, org), -1)
        emp_s = np.array(self.staff.id_strings(emp, rng), dtype=object)
        fixed = np.empty(n, dtype=object)
        fixed[:] = [f"{c}|{o}|{cu}|{a}|{_TYPE[k]}|" for c, o, cu, a, k in zip(
            card_no.tolist(), self.staff.tree.ids[org].tolist(), cust_ids(cust), accts.tolist(), kind.tolist(),
            strict=True)]
        never = (rng.random(n) < 0.12).astype(np.int8)
        new = CardRows(org.astype(np.int32), cust.astype(np.int32), kind.astype(np.int8), status.astype(np.int8),
                       issue_day.astype(np.int32), activate.astype(np.int32), cancel.astype(np.int32), never,
                       card_no, fixed, emp_s, np.empty(n, dtype=object),
                       ownership.card_relations(rng, card_no.tolist(), emp, issue_day))
        self.rows = new if self.rows is None else concat(self.rows, new)
        self._render(np.arange(first, first + n))

    def _render(self, idx: np.ndarray) -> None:
        r = self.rows
        assert r is not None
        status = [CARD_STATUSES[s] for s in r.status[idx].tolist()]
        r.line[idx] = [f"{f}{s}|{i}|{a}|{c}|{e}" for f, s, i, a, c, e in zip(
            r.fixed[idx].tolist(), status, date_strs(r.issue[idx]).tolist(), date_strs(r.activate[idx]).tolist(),
            date_strs(r.cancel[idx]).tolist(), r.emp_s[idx].tolist(), strict=True)]

    def step(self, day: Day, rng: np.random.Generator, new_customers: np.ndarray) -> None:
        r = self.rows
        assert r is not None
        d = day.number
        n = size(r)
        u = rng.random(n)
        activate = (r.status == CS_NEW) & (r.never == 0) & (r.issue < d) & (u < 0.25)
        expire = (r.status == CS_NEW) & (r.never == 1) & (r.issue < d - 180) & (u < 0.01)
        lose = (r.status == CS_ACTIVE) & (u > 1 - 0.00003)
        cancel = (r.status == CS_ACTIVE) & (u < 0.00008)
        found = (r.status == CS_LOST) & (u < 0.05)
        replaced = (r.status == CS_LOST) & (u > 0.95)
        r.status[activate | found] = CS_ACTIVE
        r.activate[activate] = d
        r.status[lose] = CS_LOST
        ended = expire | cancel | replaced
        r.status[ended] = CS_CANCELLED
        r.cancel[ended] = d
        changed = np.flatnonzero(activate | found | lose | ended)
        if len(changed):
            self._render(changed)

        # Issue: replacements, cards for new customers, and ordinary demand.
        personal = np.flatnonzero(self.customers.rows.kind == PERSONAL)
        k = int(rng.poisson(self.target * 0.0004 * day.activity))
        fresh = new_customers[(self.customers.rows.kind[new_customers] == PERSONAL)
                              & (rng.random(len(new_customers)) < 0.7)]
        cust = np.concatenate([r.cust[replaced], fresh, personal[rng.integers(0, len(personal), k)]]).astype(np.int64)
        kind = np.concatenate([r.kind[replaced], np.zeros(len(fresh), dtype=np.int8),
                               (rng.random(k) < 0.35).astype(np.int8)])
        m = len(cust)
        self.issue(rng, cust, kind, np.full(m, d), np.full(m, CS_NEW), np.full(m, NO_DATE), np.full(m, NO_DATE))

    def lines(self) -> list[str]:
        assert self.rows is not None
        return self.rows.line.tolist()

    def rel_lines(self) -> list[str]:
        assert self.rows is not None
        return [x for x in self.rows.rel.tolist() if x]


def build_cards(rng: np.random.Generator, cards: Cards, n: int, today: int) -> None:
    """The opening card base: issued over the last eight years, mostly active, some cancelled."""
    customers = cards.customers.rows
    personal = np.flatnonzero(customers.kind == PERSONAL)
    cust = personal[rng.integers(0, len(personal), n)].astype(np.int64)
    kind = (rng.random(n) < 0.25).astype(np.int8)
    issue = np.maximum(today - 1 - np.floor(rng.random(n) * 8 * 365).astype(np.int64), customers.open_day[cust])
    issue = np.minimum(issue, today - 1)
    activate = np.minimum(issue + rng.integers(0, 21, n), today - 1)
    u = rng.random(n)
    status = np.full(n, CS_ACTIVE)
    status[u < 0.12] = CS_CANCELLED
    status[(u >= 0.12) & (u < 0.13)] = CS_LOST
    fresh = (u >= 0.13) & (u < 0.16)
    status[fresh] = CS_NEW
    issue[fresh] = np.maximum(today - rng.integers(1, 40, int(fresh.sum())), customers.open_day[cust[fresh]])
    activate[fresh] = NO_DATE
    cancel = np.full(n, NO_DATE, dtype=np.int64)
    gone = status == CS_CANCELLED
    lifetime = today - 1 - activate[gone]
    cancel[gone] = activate[gone] + np.floor(rng.random(int(gone.sum())) * lifetime).astype(np.int64)
    cards.issue(rng, cust, kind, issue, status, activate, cancel)
