"""Account ownership as recorded in the business systems (REL feed).

The business systems are not clean: most accounts have one marketer at 100 %,
some are split two or three ways, some splits do not add up to 100 % (partial)
or add up to more (invalid), some relations have ended and been handed over,
some start in the future, and many accounts have no record at all. The
warehouse has to cope with all of it, so all of it is generated here.

Each account's relations are kept as one text block (its REL lines) plus the
few facts needed to hand the account over later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .dates import date_strs, ymd
from .staff import Staff

NONE, SINGLE, SPLIT, PARTIAL, OVER, HANDED, FUTURE = range(7)
_KIND_MIX = (0.40, 0.42, 0.11, 0.04, 0.01, 0.01, 0.01)
_SPLITS = ((60, 40), (50, 50), (70, 30), (50, 30, 20), (40, 30, 30))
_PARTIALS = ((50,), (60,), (80,), (40, 30), (30, 20))
_OVERS = ((70, 40), (100, 20), (60, 50))


@dataclass
class Ownership:
    """Per-account REL state, aligned with the rows of a book."""

    block: np.ndarray  # object: the account's REL lines joined by newlines, '' for none
    kind: np.ndarray  # int8 pattern
    emp: np.ndarray  # int32 current sole owner for SINGLE (handover candidate), else -1
    start: np.ndarray  # int32 start of that relation


def _line(acct_type: str, acct: str, sub: str, emp: int, share: int, start: str, end: str) -> str:
    return f"{acct_type}|{acct}|{sub}|E{emp + 1:05d}|{share}.00|{start}|{end}"


def _distinct_cms(rng: np.random.Generator, staff: Staff, outlet: int, first: int, k: int) -> list[int]:
    """k different marketers, the first given; co-owners come from the same outlet when it has enough.

    Random draws with rejection rather than filtering the whole staff list, as
    this runs once per split account.
    """
    chosen = [first]
    pool = staff.active_cms
    start, count = int(pool.start[outlet]), int(pool.count[outlet])
    everyone = pool.members
    for attempt in range(10 * k):
        if len(chosen) == k:
            break
        if count > 1 and attempt < 5 * k:
            candidate = int(pool.members[start + int(rng.integers(0, count))])
        elif len(everyone):
            candidate = int(everyone[int(rng.integers(0, len(everyone)))])
        else:
            break
        if candidate not in chosen:
            chosen.append(candidate)
    return chosen


def assign(rng: np.random.Generator, staff: Staff, acct_type: str, accts: list[str], subs: list[str],
           outlets: np.ndarray, marketers: np.ndarray, open_days: np.ndarray, today: int,
           historical: bool) -> Ownership:
    """Draw the REL pattern of new accounts.

    `marketers` is the account's recorded marketer (mgr_emp_id; -1/-2 when empty or
    unknown): the owner is usually that person, otherwise a CM of the outlet.
    `historical` accounts (the opening population) may have later start dates and
    relations that ended before today; new accounts start on their open date.
    """
    n = len(accts)
    kind = rng.choice(len(_KIND_MIX), n, p=_KIND_MIX).astype(np.int8)
    primary = np.where((marketers >= 0) & (rng.random(n) < 0.85), marketers, staff.pick_cm(rng, outlets))
    leaver = staff.pick_left(rng, outlets)
    use_leaver = (leaver >= 0) & (rng.random(n) < (0.03 if historical else 0.0))
    primary = np.where(use_leaver, leaver, primary)
    kind[primary < 0] = NONE

    start = open_days.astype(np.int64).copy()
    if historical:
        later = rng.random(n) < 0.15
        start[later] += (rng.random(int(later.sum())) * np.maximum(today - 1 - start[later], 0)).astype(np.int64)
    future = today + rng.integers(1, 61, n)
    handed_end = start + (rng.random(n) * np.maximum(today - 2 - start, 0)).astype(np.int64)
    start_s = date_strs(start)
    future_s = date_strs(future)
    end_s = date_strs(handed_end)
    next_s = date_strs(handed_end + 1)
    shape = rng.integers(0, 15, n)

    block = np.array([""] * n, dtype=object)
    emp = np.full(n, -1, dtype=np.int32)
    cur_start = start.astype(np.int32)
    for i in np.flatnonzero(kind != NONE).tolist():
        a, s, k, p = accts[i], subs[i], int(kind[i]), int(primary[i])
        if k == SINGLE:
            block[i] = _line(acct_type, a, s, p, 100, start_s[i], "")
            emp[i] = p
        elif k == FUTURE:
            block[i] = _line(acct_type, a, s, p, 100, future_s[i], "")
        elif k == HANDED:
            owners = _distinct_cms(rng, staff, int(outlets[i]), p, 2)
            if len(owners) < 2 or handed_end[i] + 1 >= today:
                block[i] = _line(acct_type, a, s, p, 100, start_s[i], "")
                kind[i] = SINGLE
                emp[i] = p
                continue
            block[i] = (_line(acct_type, a, s, owners[0], 100, start_s[i], end_s[i]) + "\n"
                        + _line(acct_type, a, s, owners[1], 100, next_s[i], ""))
        else:
            shares = (_SPLITS, _PARTIALS, _OVERS)[k - SPLIT]
            pcts = shares[int(shape[i]) % len(shares)]
            owners = _distinct_cms(rng, staff, int(outlets[i]), p, len(pcts))
            block[i] = "\n".join(_line(acct_type, a, s, e, pct, start_s[i], "")
                                 for e, pct in zip(owners, pcts, strict=False))  # may find fewer co-owners
    return Ownership(block, kind, emp, cur_start)


def card_relations(rng: np.random.Generator, cards: list[str], emps: np.ndarray, issue_days: np.ndarray) -> np.ndarray:
    """Most cards sold by a named marketer carry a 100 % relation from the issue date."""
    n = len(cards)
    has = (emps >= 0) & (rng.random(n) < 0.6)
    block = np.array([""] * n, dtype=object)
    issue = date_strs(issue_days)
    for i in np.flatnonzero(has).tolist():
        block[i] = _line("CARD", cards[i], "", int(emps[i]), 100, issue[i], "")
    return block


def hand_over(rng: np.random.Generator, staff: Staff, own: Ownership, rows: np.ndarray, acct_type: str,
              accts: np.ndarray, subs: np.ndarray, outlets: np.ndarray, today: int) -> None:
    """End the sole owner's relation yesterday and give the account to another CM from today."""
    if len(rows) == 0:
        return
    new = staff.pick_cm(rng, outlets[rows])
    yesterday, now = ymd(today - 1), ymd(today)
    starts = date_strs(own.start[rows])
    for j, i in enumerate(rows.tolist()):
        old = int(own.emp[i])
        e = int(new[j])
        if e < 0 or e == old:
            continue
        own.block[i] = (_line(acct_type, accts[i], subs[i], old, 100, starts[j], yesterday) + "\n"
                        + _line(acct_type, accts[i], subs[i], e, 100, now, ""))
        own.kind[i] = HANDED
        own.emp[i] = -1



def daily_handovers(rng: np.random.Generator, staff: Staff, rows: Any, acct_type: str, alive: np.ndarray,
                    leavers: np.ndarray, today: int) -> None:
    """Hand over sole-owned accounts: most of a leaver's, and a few others at random.

    `rows` is a deposit or loan book (columns rel, rel_kind, rel_emp, rel_start,
    acct, sub_s, org); it is updated in place.
    """
    own = Ownership(rows.rel, rows.rel_kind, rows.rel_emp, rows.rel_start)
    single = (own.kind == SINGLE) & alive & (own.start < today)
    u = rng.random(len(own.kind))
    picked = single & ((np.isin(own.emp, leavers) & (u < 0.7)) | (u > 1 - 0.0002))
    hand_over(rng, staff, own, np.flatnonzero(picked), acct_type, rows.acct, rows.sub_s, rows.org, today)
