"""The deposit ledger (DEP feed): sub-accounts, their balances and their life cycle.

State is one row per sub-account in numpy columns, money in integer cents.
Demand balances follow a mean-reverting random walk (most accounts are quiet
on a given day, a few move a lot), corporate balances are pushed up over the
last days of a month and more so of a quarter and fall back after, demand
interest is credited on the 21st of each quarter's last month, and time
deposits keep their principal until maturity, when they close and are often
rolled over into a new sub-account. A closed sub-account is reported once,
with status C, balance 0 and the closing date, then dropped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from . import ownership, pricing
from .catalog import (
    C_IB,
    C_MGN,
    CCY_CODES,
    CNY,
    CORPORATE,
    CURRENCIES,
    DEP_CLASSES,
    DEP_STATUSES,
    DEPOSIT_RATES,
    INTERBANK,
    INTERBANK_RATES,
    PERSONAL,
    ST_CLOSED,
    ST_DORMANT,
    ST_FROZEN,
    ST_NORMAL,
    SUBJECTS,
    T_CUR,
    TERM_MONTHS,
    TERMS,
)
from .customers import Customers, cust_ids
from .dates import NO_DATE, NO_END, Day, add_months, date_strs, day_number
from .deposit_products import (
    BUSINESS,
    C_DEMAND_USD,
    C_DERIVED,
    C_MARGIN,
    C_TIME_CNY,
    COLUMNS,
    I_DEMAND_USD,
    IS_TIME,
    MAIN_PRODUCT,
    MONEY_MARKET,
    P_DEMAND_HKD,
    P_DEMAND_USD,
    P_TIME_CNY,
    PRODUCTS,
    RETAIL,
    STATIC,
)
from .fmt import cents, rates
from .staff import UNKNOWN, Staff
from .table import concat, select, size

# How balances move, by behaviour profile (STATIC, RETAIL, BUSINESS, MONEY_MARKET).
_P_MOVE = np.array([0.0, 0.12, 0.45, 0.60])  # chance a balance moves on a weekday
_SIGMA = np.array([0.0, 0.25, 0.12, 0.15])  # typical size of a move (log scale)
_BIG_MOVE = 0.02  # share of moves that are large flows, three times the usual size
_REVERT = 0.06  # share of the gap to the account's usual level closed per move
_CAP = 50.0  # no balance runs away beyond this multiple of its usual level
_ROLLOVER = 0.75  # matured time deposits renewed
_PAID_TO_DEMAND = 0.4  # of the rest, share credited to the customer's demand account (else it leaves)
_GROWTH = 1.1  # new time deposits per non-renewed one
_MEAN_ACTIVITY = (5 + 2 * 0.4) / 7  # Day.activity averaged over a week
_DERIVED_KEEP = 0.2  # loan proceeds left on a derived deposit once the borrower has spent them
_VINTAGE_DAY = day_number(dt.date(2025, 6, 30))  # rates were higher before the recent cuts


_SUBJECT_S = np.array(SUBJECTS, dtype=object)
_STATUS_S = np.array(DEP_STATUSES, dtype=object)
_DEP_BASIS = np.array([c.dep_basis for c in CURRENCIES])


@dataclass
class DepositRows:
    org: np.ndarray  # int32
    cust: np.ndarray  # int32
    product: np.ndarray  # int8
    sub: np.ndarray  # int32
    ccy: np.ndarray  # int8
    subject: np.ndarray  # int8
    term: np.ndarray  # int8
    status: np.ndarray  # int8
    behaviour: np.ndarray  # int8
    base: np.ndarray  # int64 cents: the balance before month-end window dressing
    bal: np.ndarray  # int64 cents: the reported balance
    usual: np.ndarray  # float64 the account's usual balance (cents) the walk reverts to
    amp: np.ndarray  # float64 month/quarter-end uplift at its peak
    rate: np.ndarray  # int64 millionths of a percent
    open: np.ndarray  # int32 day
    close: np.ndarray  # int32 day or NO_DATE
    mat: np.ndarray  # int32 day or NO_END
    mgr: np.ndarray  # int32 employee index, -1 none, UNKNOWN
    acct: np.ndarray  # object acct_no
    sub_s: np.ndarray  # object sub_acct_no
    head: np.ndarray  # object 'org|acct|sub|cust|name|ccy|'
    tail: np.ndarray  # object 'value|maturity|term|rate|class|pledge|mgr'
    suffix: np.ndarray  # object '|subject|status|open|close|' + tail: all after the balance
    ftp_rate: np.ndarray  # int64, 0 = no individual price
    ftp_day: np.ndarray  # int32
    ftp_line: np.ndarray  # object
    rel: np.ndarray  # object REL block
    rel_kind: np.ndarray  # int8
    rel_emp: np.ndarray  # int32
    rel_start: np.ndarray  # int32


@dataclass
class OpenRequest:
    """Sub-accounts to open: who, which product, when, and optionally how much / which term."""

    cust: np.ndarray
    product: np.ndarray
    open_day: np.ndarray
    amount: np.ndarray | None = None  # cents, -1 = draw
    term: np.ndarray | None = None  # term index, -1 = draw

    def __len__(self) -> int:
        return len(self.cust)


def merge(requests: list[OpenRequest]) -> OpenRequest:
    """One request out of several, so the book grows by a single concatenation a day."""
    def col(r: OpenRequest, name: str) -> np.ndarray:
        v = getattr(r, name)
        return np.full(len(r), -1, dtype=np.int64) if v is None else np.asarray(v, dtype=np.int64)

    return OpenRequest(*(np.concatenate([col(r, f) for r in requests]) if requests else np.zeros(0, dtype=np.int64)
                         for f in ("cust", "product", "open_day", "amount", "term")))


def season(day: Day) -> tuple[float, float]:
    """Window-dressing weight today for (business accounts, retail accounts).

    Corporate balances climb over the last three days of every month and more
    at quarter and year end, then fall back on the 1st; retail balances are
    pushed only at quarter end.
    """
    ramp = {2: 0.35, 1: 0.7, 0: 1.0}.get(day.days_to_month_end, 0.0)
    if day.date.month == 12:
        boost = 2.5
    elif day.quarter_end_month:
        boost = 2.0
    else:
        boost = 1.0
    return ramp * boost, ramp * boost if day.quarter_end_month else 0.0


class Deposits:
    def __init__(self, customers: Customers, staff: Staff) -> None:
        self.customers = customers
        self.staff = staff
        self.tree = staff.tree
        self.rows: DepositRows | None = None

    def __len__(self) -> int:
        return 0 if self.rows is None else size(self.rows)

    # ----------------------------------------------------------------- opening
    def open(self, rng: np.random.Generator, req: OpenRequest, today: int, historical: bool = False) -> int:
        """Open sub-accounts; returns how many. Every choice not given in `req` is drawn."""
        n = len(req)
        if n == 0:
            return 0
        cust = np.asarray(req.cust, dtype=np.int64)
        prod = np.asarray(req.product, dtype=np.int64)
        custs = self.customers.rows
        kind = custs.kind[cust]
        ccy = COLUMNS["ccy"][prod]
        is_time = IS_TIME[prod]
        open_day = np.maximum(np.asarray(req.open_day, dtype=np.int64), custs.open_day[cust])
        if historical:
            open_day = np.minimum(open_day, today - 1)

        term = np.full(n, T_CUR, dtype=np.int64) if req.term is None else np.asarray(req.term, dtype=np.int64)
        draw_term = is_time & (term < 1)
        for p in np.unique(prod[draw_term]).tolist():
            sel = np.flatnonzero(draw_term & (prod == p))
            term[sel] = 1 + rng.choice(6, len(sel), p=PRODUCTS[p].terms)
        term[~is_time] = T_CUR

        amount = np.full(n, -1, dtype=np.int64) if req.amount is None else np.asarray(req.amount, dtype=np.int64)
        draw = amount < 0
        raw = COLUMNS["median"][prod] * np.exp(COLUMNS["sigma"][prod] * rng.standard_normal(n)) * 100
        step = COLUMNS["step"][prod]
        drawn = np.maximum(np.round(raw / step), np.where(is_time, 1, 0)) * step
        amount = np.where(draw, drawn, amount).astype(np.int64)

        mat = np.where(is_time, add_months(open_day, np.array(TERM_MONTHS)[term]), NO_END)
        rate = self._offered_rates(rng, prod, kind, ccy, term, open_day)
        behaviour = COLUMNS["behaviour"][prod]
        amp = np.zeros(n)
        corp = behaviour == BUSINESS
        amp[corp] = np.where(rng.random(int(corp.sum())) < 0.65, rng.uniform(0.05, 0.30, int(corp.sum())), 0.0)
        mm = behaviour == MONEY_MARKET
        amp[mm] = np.where(rng.random(int(mm.sum())) < 0.4, rng.uniform(0.0, 0.15, int(mm.sum())), 0.0)
        retail = behaviour == RETAIL
        amp[retail] = np.where(rng.random(int(retail.sum())) < 0.15, rng.uniform(0.02, 0.12, int(retail.sum())), 0.0)

        status = np.full(n, ST_NORMAL, dtype=np.int8)
        if historical:
            u = rng.random(n)
            status[(behaviour == RETAIL) & (u < 0.04)] = ST_DORMANT
            status[(kind != INTERBANK) & (u > 0.997)] = ST_FROZEN

        org = custs.org[cust]
        mgr = self.staff.pick_cm(rng, org)
        u = rng.random(n)
        mgr[u < 0.15] = -1
        mgr[(u >= 0.15) & (u < 0.155)] = UNKNOWN
        if historical:
            leaver = self.staff.pick_left(rng, org)
            use = (u >= 0.155) & (u < 0.175) & (leaver >= 0)
            mgr[use] = leaver[use]

        margin = COLUMNS["margin_acct"][prod]
        sub = self.customers.take_subs(cust, margin)
        pledge = np.where(COLUMNS["dclass"][prod] == C_MGN, rng.random(n) < 0.4,
                          (prod == P_TIME_CNY) & (rng.random(n) < 0.01)).astype(np.int8)

        acct = np.array(self.customers.acct_numbers(cust, margin), dtype=object)
        sub_s = np.array([f"{s:04d}" for s in sub.tolist()], dtype=object)
        org_s = self.tree.ids[org].tolist()
        names = custs.name[cust].tolist()
        ids = cust_ids(cust)
        ccy_s = [CCY_CODES[c] for c in ccy.tolist()]
        head = np.empty(n, dtype=object)
        head[:] = [f"{o}|{a}|{s}|{c}|{nm}|{cc}|" for o, a, s, c, nm, cc in
                   zip(org_s, acct.tolist(), sub_s.tolist(), ids, names, ccy_s, strict=True)]
        value_s = date_strs(open_day).tolist()
        mat_s = date_strs(mat).tolist()
        term_s = [TERMS[t] for t in term.tolist()]
        class_s = [DEP_CLASSES[c] for c in COLUMNS["dclass"][prod].tolist()]
        mgr_s = self.staff.id_strings(mgr, rng)
        tail = np.empty(n, dtype=object)
        tail[:] = [f"{v}|{m}|{t}|{r}|{c}|{p}|{e}" for v, m, t, r, c, p, e in
                   zip(value_s, mat_s, term_s, rates(rate), class_s, pledge.tolist(), mgr_s, strict=True)]

        ftp_rate, ftp_day, ftp_line = pricing.assign(rng, "DEP", acct, sub_s, ccy, term, open_day)
        own = ownership.assign(rng, self.staff, "DEP", acct.tolist(), sub_s.tolist(), org, mgr, open_day,
                               today, historical)
        base = amount
        new = DepositRows(
            org=org.astype(np.int32), cust=cust.astype(np.int32), product=prod.astype(np.int8),
            sub=sub, ccy=ccy.astype(np.int8), subject=COLUMNS["subject"][prod].astype(np.int8),
            term=term.astype(np.int8), status=status, behaviour=behaviour.astype(np.int8), base=base,
            bal=base.copy(), usual=base * np.where((prod == C_DERIVED) & ~historical, _DERIVED_KEEP, 1.0), amp=amp,
            rate=rate, open=open_day.astype(np.int32), close=np.full(n, NO_DATE, dtype=np.int32),
            mat=mat.astype(np.int32), mgr=mgr.astype(np.int32), acct=acct, sub_s=sub_s, head=head, tail=tail,
            suffix=np.empty(n, dtype=object),
            ftp_rate=ftp_rate, ftp_day=ftp_day, ftp_line=ftp_line, rel=own.block, rel_kind=own.kind,
            rel_emp=own.emp, rel_start=own.start,
        )
        first = len(self)
        self.rows = new if self.rows is None else concat(self.rows, new)
        self._render(np.arange(first, first + n))
        return n

    def _render(self, idx: np.ndarray) -> None:
        """Rebuild the cached text after the balance for rows whose status or close date changed.

        Only the balance changes every day; caching the rest keeps a million-row
        snapshot to one short string concatenation per row.
        """
        r = self.rows
        assert r is not None
        if len(idx) == 0:
            return
        r.suffix[idx] = [f"|{s}|{st}|{o}|{c}|{t}" for s, st, o, c, t in zip(
            _SUBJECT_S[r.subject[idx]].tolist(), _STATUS_S[r.status[idx]].tolist(), date_strs(r.open[idx]).tolist(),
            date_strs(r.close[idx]).tolist(), r.tail[idx].tolist(), strict=True)]

    def _offered_rates(self, rng: np.random.Generator, prod: np.ndarray, kind: np.ndarray, ccy: np.ndarray,
                       term: np.ndarray, open_day: np.ndarray) -> np.ndarray:
        """Board rate for currency and term, plus negotiated floating, plus vintage for old deposits."""
        n = len(prod)
        table = np.array([DEPOSIT_RATES[c] for c in range(len(CCY_CODES))])
        pct = table[ccy, term]
        ib = COLUMNS["dclass"][prod] == C_IB
        pct = np.where(ib & (ccy == CNY), np.array(INTERBANK_RATES)[term], pct)
        pct = np.where(ib & (ccy != CNY), pct + 0.30, pct)
        steps = np.where(kind == PERSONAL, rng.choice(5, n, p=[0.4, 0.25, 0.2, 0.1, 0.05]), rng.integers(0, 7, n))
        demand = term == T_CUR
        cny_demand = demand & (ccy == CNY) & ~ib
        steps = np.where(cny_demand & (kind == PERSONAL), rng.choice(3, n, p=[0.7, 0.2, 0.1]), steps)
        steps = np.where(cny_demand & (kind == CORPORATE), 2 + rng.integers(0, 4, n), steps)
        steps = np.where(demand & (ccy != CNY), 0, steps)
        pct = pct + steps * 0.05
        years_back = np.maximum(_VINTAGE_DAY - open_day, 0) / 365.0
        pct = pct + np.where(~demand & (ccy == CNY) & ~ib, np.minimum(0.3 * years_back, 1.8), 0.0)
        return np.round(pct * 100).astype(np.int64) * 10_000

    # --------------------------------------------------------------- the day
    def step(self, day: Day, rng: np.random.Generator, new_customers: np.ndarray,
             loan_customers: np.ndarray, loan_amounts: np.ndarray, leavers: np.ndarray) -> None:
        """Advance all sub-accounts to the end of `day`."""
        assert self.rows is not None
        self.rows = select(self.rows, self.rows.status != ST_CLOSED)
        r = self.rows
        d = day.number
        n = size(r)
        # Status changes: frozen accounts get released, quiet retail accounts go dormant.
        u = rng.random(n)
        released = ((r.status == ST_FROZEN) & (u < 0.01)) | ((r.status == ST_DORMANT) & (u < 0.002))
        freeze = (r.status == ST_NORMAL) & (r.behaviour != MONEY_MARKET) & (u > 1 - 0.00003)
        sleep = (r.status == ST_NORMAL) & (r.behaviour == RETAIL) & (r.base < 10_000) & (u > 1 - 0.0005) & ~freeze
        r.status[released] = ST_NORMAL
        r.status[freeze] = ST_FROZEN
        r.status[sleep] = ST_DORMANT

        self._move_balances(day, rng)
        rollover = self._close(day, rng)
        self._dress(day)
        self._render(np.flatnonzero(released | freeze | sleep | (r.status == ST_CLOSED)))

        self.open(rng, merge([rollover, *self._new_business(day, rng, new_customers, loan_customers,
                                                             loan_amounts)]), d)
        r = self.rows
        alive = r.status != ST_CLOSED
        pricing.reprice(rng, "DEP", r.acct, r.sub_s, r.ccy, r.term, r.ftp_rate, r.ftp_day, r.ftp_line, alive, d)
        ownership.daily_handovers(rng, self.staff, r, "DEP", alive, leavers, d)

    def _new_business(self, day: Day, rng: np.random.Generator, new_customers: np.ndarray,
                      loan_customers: np.ndarray, loan_amounts: np.ndarray) -> list[OpenRequest]:
        """Sub-accounts opened today, besides rollovers."""
        r = self.rows
        assert r is not None
        d = day.number
        kinds = self.customers.rows.kind
        requests = []
        # New customers open their main account, some a time deposit with it.
        nk = kinds[new_customers]
        requests.append(OpenRequest(new_customers, MAIN_PRODUCT[nk], np.full(len(nk), d)))
        second = new_customers[(rng.random(len(nk)) < np.where(nk == PERSONAL, 0.35, 0.25)) & (nk != INTERBANK)]
        sk = kinds[second]
        requests.append(OpenRequest(second, np.where(sk == PERSONAL, P_TIME_CNY, C_TIME_CNY), np.full(len(sk), d)))
        # Customers who hold time deposits buy more of the same kind, short terms more
        # often (they come round sooner): this replaces what matures and is not renewed,
        # keeping the book's mix and balance steady with slow growth.
        held = np.flatnonzero((r.status == ST_NORMAL) & IS_TIME[r.product] & (r.product != C_MARGIN))
        turnover = 1.0 / (np.array(TERM_MONTHS)[r.term[held]] * 30.4)
        expected = (1 - _ROLLOVER) * turnover.sum() * _GROWTH * day.activity / _MEAN_ACTIVITY
        k = min(int(rng.poisson(expected)), len(held))
        like = held[rng.choice(len(held), k, replace=False, p=turnover / turnover.sum())] if k else held[:0]
        requests.append(OpenRequest(r.cust[like], r.product[like], np.full(k, d)))
        # Corporates put up margin for acceptances; a few customers open a foreign-currency account.
        mains = np.flatnonzero((r.status == ST_NORMAL) & (r.sub == 1) & (r.product == MAIN_PRODUCT[kinds[r.cust]]))
        corp_mains = mains[kinds[r.cust[mains]] == CORPORATE]
        k = min(int(rng.poisson(len(corp_mains) * 0.002 * day.activity)), len(corp_mains))
        who = r.cust[corp_mains[rng.choice(len(corp_mains), k, replace=False)]]
        requests.append(OpenRequest(who, np.full(k, C_MARGIN), np.full(k, d)))
        k = min(int(rng.poisson(len(r.cust) * 0.00003 * day.activity)), len(mains))
        who = r.cust[mains[rng.choice(len(mains), k, replace=False)]]
        wk = kinds[who]
        fx = np.where(wk == PERSONAL, np.where(rng.random(k) < 0.6, P_DEMAND_USD, P_DEMAND_HKD),
                      np.where(wk == CORPORATE, C_DEMAND_USD, I_DEMAND_USD))
        requests.append(OpenRequest(who, fx, np.full(k, d)))
        # A corporate drawdown often leaves part of the loan on a derived deposit.
        derived = rng.random(len(loan_customers)) < 0.4
        amounts = (loan_amounts[derived] * rng.uniform(0.1, 0.5, int(derived.sum()))).astype(np.int64)
        requests.append(OpenRequest(loan_customers[derived], np.full(int(derived.sum()), C_DERIVED),
                                    np.full(int(derived.sum()), d), amounts))
        return requests

    def _move_balances(self, day: Day, rng: np.random.Generator) -> None:
        """Demand balances: a quiet, mean-reverting random walk with occasional big flows.

        The multiplicative shock has mean one and the reversion works on the level,
        so each account's expected balance stays at its usual level and the bank's
        totals do not drift, while single accounts still swing a lot.
        """
        r = self.rows
        assert r is not None
        n = size(r)
        beh = r.behaviour.astype(np.int64)
        move = (r.status == ST_NORMAL) & (rng.random(n) < _P_MOVE[beh] * day.activity)
        idx = np.flatnonzero(move)
        current = r.base[idx].astype(np.float64)
        usual = r.usual[idx]
        sigma = _SIGMA[beh[idx]] * np.where(rng.random(len(idx)) < _BIG_MOVE, 3.0, 1.0)
        factor = np.exp(sigma * rng.standard_normal(len(idx)) - sigma**2 / 2)
        moved = current * factor + _REVERT * (usual - current)
        r.base[idx] = np.rint(np.clip(moved, 0, _CAP * np.maximum(usual, 100_000))).astype(np.int64)
        if day.quarter_end_month and day.date.day == 21:
            # Demand interest of the quarter, settled on the 20th, credited on the 21st.
            demand = (r.term == T_CUR) & ((r.status == ST_NORMAL) | (r.status == ST_DORMANT))
            basis = _DEP_BASIS[r.ccy[demand]]
            interest = np.rint(r.base[demand] * (r.rate[demand] / 1e8) * 90 / basis).astype(np.int64)
            r.base[demand] += interest

    def _dress(self, day: Day) -> None:
        """Reported balance = underlying balance with the month/quarter-end uplift."""
        r = self.rows
        assert r is not None
        business, retail = season(day)
        weight = np.where(r.behaviour == RETAIL, retail, business)
        weight = np.where(r.behaviour == STATIC, 0.0, weight)
        dressed = np.rint(r.base * (1.0 + r.amp * weight)).astype(np.int64)
        r.bal[:] = np.where(r.status == ST_CLOSED, 0, dressed)

    def _close(self, day: Day, rng: np.random.Generator) -> OpenRequest:
        """Close matured time deposits and a few demand accounts; return the rollovers to open."""
        r = self.rows
        assert r is not None
        d = day.number
        n = size(r)
        matured = (r.term != T_CUR) & (r.mat <= d) & (r.status != ST_FROZEN)
        # Demand sub-accounts are closed now and then; derived deposits, once spent, sooner.
        p_quit = np.where(r.product == C_DERIVED, 0.003, 0.00015)
        quit_ = (r.term == T_CUR) & (r.status == ST_NORMAL) & (r.sub > 1) & (rng.random(n) < p_quit)
        closing = np.flatnonzero(matured | quit_)
        days = (r.mat - r.open).astype(np.float64)
        proceeds = r.base + np.rint(r.base * (r.rate / 1e8) * days / _DEP_BASIS[r.ccy]).astype(np.int64)
        renew = matured & (r.product != C_MARGIN) & (rng.random(n) < _ROLLOVER)
        roll = np.flatnonzero(renew)
        request = OpenRequest(r.cust[roll].copy(), r.product[roll].copy(), np.full(len(roll), d),
                              proceeds[roll], r.term[roll].copy())
        # Not renewed: principal and interest often go to the customer's main demand account.
        paid = np.flatnonzero(matured & ~renew & (r.product != C_MARGIN) & (rng.random(n) < _PAID_TO_DEMAND))
        kinds = self.customers.rows.kind
        mains = np.flatnonzero((r.sub == 1) & (r.product == MAIN_PRODUCT[kinds[r.cust]]) & (r.status != ST_CLOSED))
        main_of = np.full(len(self.customers), -1, dtype=np.int64)
        main_of[r.cust[mains]] = mains
        target = main_of[r.cust[paid]]
        ok = (target >= 0) & (r.ccy[np.maximum(target, 0)] == r.ccy[paid])
        np.add.at(r.base, target[ok], proceeds[paid[ok]])
        r.status[closing] = ST_CLOSED
        r.base[closing] = 0
        r.close[closing] = d
        return request

    # ----------------------------------------------------------------- output
    def lines(self) -> list[str]:
        r = self.rows
        assert r is not None
        return [f"{h}{b}{s}" for h, b, s in zip(r.head.tolist(), cents(r.bal), r.suffix.tolist(), strict=True)]

    def ftp_lines(self) -> list[str]:
        r = self.rows
        assert r is not None
        return [x for x in r.ftp_line.tolist() if x]

    def rel_lines(self) -> list[str]:
        r = self.rows
        assert r is not None
        return [x for x in r.rel.tolist() if x]
