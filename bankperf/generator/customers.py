"""Customers (CUST feed): personal, corporate and interbank.

A customer never leaves the snapshot (closing all accounts does not delete the
customer). Each has one main deposit account number under which sub-accounts
0001, 0002... are opened, a margin account number for corporates, and loan
account numbers counted per customer; the counters live here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .catalog import CORPORATE, CUST_TYPES, INTERBANK, PERSONAL
from .dates import Day, day_number
from .names import (
    addresses,
    company_cert_numbers,
    company_names,
    institution_names,
    landline_numbers,
    mobile_numbers,
    person_cert_numbers,
    person_names,
)
from .orgs import OrgTree
from .table import concat, rank_within, size

ACCT_PREFIX = ("62", "33", "39")  # main deposit account number prefix by customer type
KIND_MIX = (0.925, 0.070, 0.005)


@dataclass
class CustomerRows:
    kind: np.ndarray  # int8 PERSONAL / CORPORATE / INTERBANK
    org: np.ndarray  # int32 opening outlet
    open_day: np.ndarray  # int32
    name: np.ndarray  # object
    small: np.ndarray  # int8 small-enterprise flag
    line: np.ndarray  # object: the CUST line, fixed once written
    next_sub: np.ndarray  # int32 next sub-account number of the main account
    next_margin_sub: np.ndarray  # int32 next sub-account number of the margin account
    loans: np.ndarray  # int32 loan accounts opened so far
    number: np.ndarray  # object: the 8-digit customer number, the stem of its ids and account numbers


def cust_ids(idx: np.ndarray) -> list[str]:
    return [f"C{i + 1:08d}" for i in np.asarray(idx).tolist()]


def customer_numbers(first: int, n: int) -> np.ndarray:
    out = np.empty(n, dtype=object)
    out[:] = [f"{i:08d}" for i in range(first + 1, first + n + 1)]
    return out


class Customers:
    def __init__(self, tree: OrgTree) -> None:
        self.tree = tree
        z = np.zeros(0, dtype=np.int32)
        self.rows = CustomerRows(z.astype(np.int8), z, z, np.zeros(0, dtype=object), z.astype(np.int8),
                                 np.zeros(0, dtype=object), z, z, z, np.zeros(0, dtype=object))

    def __len__(self) -> int:
        return size(self.rows)

    def acct_numbers(self, idx: np.ndarray, margin: np.ndarray | None = None) -> list[str]:
        """Deposit account numbers: type prefix + customer number + 01 (main) or 02 (margin)."""
        idx = np.asarray(idx, dtype=np.int64)
        prefix = np.array(ACCT_PREFIX, dtype=object)[self.rows.kind[idx]]
        suffix = np.where(np.asarray(margin, dtype=bool), "02", "01") if margin is not None else "01"
        return (prefix + self.rows.number[idx] + suffix).tolist()

    def pick_orgs(self, rng: np.random.Generator, kinds: np.ndarray) -> np.ndarray:
        """Personal customers open at sub-branches, corporates also at corporate
        departments, interbank counterparties at a branch's business hall."""
        tree = self.tree
        org = tree.pick_outlets(rng, len(kinds), tree.subs)
        corp = np.flatnonzero(kinds == CORPORATE)
        to_dept = corp[rng.random(len(corp)) < 0.3]
        if len(tree.departments) and len(to_dept):
            org[to_dept] = tree.pick_outlets(rng, len(to_dept), tree.departments)
        ib = np.flatnonzero(kinds == INTERBANK)
        if len(ib):
            org[ib] = tree.business_halls[rng.integers(0, len(tree.business_halls), len(ib))]
        return org.astype(np.int32)

    def add(self, rng: np.random.Generator, kinds: np.ndarray, orgs: np.ndarray, open_days: np.ndarray,
            today: int) -> np.ndarray:
        """Create customers; returns their indexes."""
        n = len(kinds)
        first = len(self)
        name = np.empty(n, dtype=object)
        industry = np.array([""] * n, dtype=object)
        cert = np.empty(n, dtype=object)
        phone = np.empty(n, dtype=object)
        addr = np.empty(n, dtype=object)
        small = np.zeros(n, dtype=np.int8)

        p = np.flatnonzero(kinds == PERSONAL)
        name[p] = person_names(rng, len(p))
        cert[p] = person_cert_numbers(rng, len(p), today)
        phone[p] = np.where(rng.random(len(p)) < 0.04, "", mobile_numbers(rng, len(p)))
        addr[p] = np.where(rng.random(len(p)) < 0.08, "", addresses(rng, len(p)))

        c = np.flatnonzero(kinds == CORPORATE)
        name[c], industry[c] = company_names(rng, len(c))
        cert[c] = company_cert_numbers(rng, len(c))
        phone[c] = np.where(rng.random(len(c)) < 0.8, landline_numbers(rng, len(c)), mobile_numbers(rng, len(c)))
        addr[c] = addresses(rng, len(c), with_unit=0.0)
        small[c] = rng.random(len(c)) < 0.6

        i = np.flatnonzero(kinds == INTERBANK)
        name[i], industry[i] = institution_names(rng, len(i))
        cert[i] = company_cert_numbers(rng, len(i))
        phone[i] = np.where(rng.random(len(i)) < 0.4, "", landline_numbers(rng, len(i)))
        addr[i] = np.where(rng.random(len(i)) < 0.3, "", addresses(rng, len(i), with_unit=0.0))

        number = customer_numbers(first, n)
        ids = ("C" + number).tolist()
        org_ids = self.tree.ids[orgs].tolist()
        types = [CUST_TYPES[k] for k in kinds.tolist()]
        line = np.empty(n, dtype=object)
        line[:] = [f"{a}|{b}|{t}|{d}|{s}|{e}|{f}|{g}|{o}" for a, b, t, d, s, e, f, g, o in zip(
            ids, name.tolist(), types, industry.tolist(), small.tolist(), cert.tolist(), phone.tolist(),
            addr.tolist(), org_ids, strict=True)]
        ones = np.ones(n, dtype=np.int32)
        new = CustomerRows(kinds.astype(np.int8), orgs.astype(np.int32), open_days.astype(np.int32), name,
                           small, line, ones, ones.copy(), np.zeros(n, dtype=np.int32), number)
        self.rows = concat(self.rows, new)
        return np.arange(first, first + n)

    def take_subs(self, idx: np.ndarray, margin: np.ndarray) -> np.ndarray:
        """Allocate the next sub-account numbers for new deposit sub-accounts (idx may repeat)."""
        idx = np.asarray(idx, dtype=np.int64)
        margin = np.asarray(margin, dtype=bool)
        key = idx * 2 + margin
        rank = rank_within(key)
        base = np.where(margin, self.rows.next_margin_sub[idx], self.rows.next_sub[idx])
        np.add.at(self.rows.next_sub, idx[~margin], 1)
        np.add.at(self.rows.next_margin_sub, idx[margin], 1)
        return (base + rank).astype(np.int32)

    def take_loan_seq(self, idx: np.ndarray) -> np.ndarray:
        """Allocate loan account sequence numbers (1, 2, ...) per customer."""
        idx = np.asarray(idx, dtype=np.int64)
        seq = self.rows.loans[idx] + rank_within(idx) + 1
        np.add.at(self.rows.loans, idx, 1)
        return seq.astype(np.int32)

    def lines(self) -> list[str]:
        return self.rows.line.tolist()

    def step(self, day: Day, rng: np.random.Generator, base_rate: float) -> np.ndarray:
        """New customers of the day (a few per thousand accounts)."""
        n = int(rng.poisson(base_rate * day.activity))
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        kinds = rng.choice(3, n, p=KIND_MIX).astype(np.int8)
        return self.add(rng, kinds, self.pick_orgs(rng, kinds), np.full(n, day.number), day.number)


def historical_open_days(rng: np.random.Generator, orgs: np.ndarray, tree: OrgTree, today: int) -> np.ndarray:
    """Opening dates of the existing customers: since the outlet opened, more of them recent."""
    earliest = np.maximum(tree.open_day[orgs], day_number(dt.date(2000, 1, 1)))
    span = np.maximum(today - 1 - earliest, 1)
    return (today - 1 - np.floor(span * rng.random(len(orgs)) ** 1.7)).astype(np.int32)
