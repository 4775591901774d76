"""The loan ledger (LOAN feed).

Personal mortgages and consumer loans amortise monthly (equal principal),
corporate medium/long-term loans half-yearly; short-term loans and bill
discounts are repaid at maturity. Loans migrate between the five risk grades
rarely; non-performing loans stop booking interest income, pile up accrued
unpaid interest (sometimes paid down) and are provisioned much more heavily,
with the provision moving toward its new level over a few days. New loans are
drawn every day; a corporate drawdown often leaves derived deposits behind.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import ownership, pricing
from .catalog import (
    CCY_CODES,
    CNY,
    CORPORATE,
    DEP_STATUSES,
    FOREIGN_LOAN_RATE_RANGE,
    LOAN_BASIS,
    LOAN_METHODS,
    LOAN_RATE_RANGE,
    M_CREDIT,
    M_DISCOUNT,
    M_GUARANTEE,
    M_MORTGAGE,
    M_PLEDGE,
    PERSONAL,
    PROVISION_RANGE,
    S_CONSUMER,
    S_DISCOUNT,
    S_LONG,
    S_MORTGAGE,
    S_SHORT,
    ST_CLOSED,
    ST_NORMAL,
    SUBJECTS,
    TERMS,
    USD,
)
from .customers import Customers, cust_ids
from .dates import NO_DATE, Day, add_months, date_strs, day_of_month
from .fmt import cents, rates
from .staff import UNKNOWN, Staff
from .table import concat, rank_within, select, size


@dataclass(frozen=True)
class LoanProduct:
    key: str
    cust_kind: int
    subject: int
    methods: tuple[tuple[int, float], ...]
    months: tuple[int, ...]
    month_probs: tuple[float, ...]
    median: float  # CNY
    sigma: float
    step: int  # cents
    interval: int  # months between principal instalments, 0 = bullet


LOAN_PRODUCTS = (
    LoanProduct("MORTGAGE", PERSONAL, S_MORTGAGE, ((M_MORTGAGE, 1.0),), (120, 180, 240, 300, 360),
                (0.10, 0.15, 0.25, 0.20, 0.30), 600_000, 0.5, 100_000, 1),
    LoanProduct("CONSUMER", PERSONAL, S_CONSUMER, ((M_CREDIT, 0.6), (M_GUARANTEE, 0.4)), (12, 24, 36, 60),
                (0.35, 0.30, 0.25, 0.10), 80_000, 0.8, 10_000, 1),
    LoanProduct("SHORT", CORPORATE, S_SHORT, ((M_CREDIT, 0.15), (M_GUARANTEE, 0.40), (M_MORTGAGE, 0.30),
                (M_PLEDGE, 0.15)), (3, 6, 12), (0.15, 0.35, 0.50), 3_000_000, 1.0, 1_000_000, 0),
    LoanProduct("LONG", CORPORATE, S_LONG, ((M_GUARANTEE, 0.35), (M_MORTGAGE, 0.50), (M_PLEDGE, 0.15)),
                (24, 36, 60, 96), (0.30, 0.35, 0.25, 0.10), 10_000_000, 1.0, 1_000_000, 6),
    LoanProduct("DISCOUNT", CORPORATE, S_DISCOUNT, ((M_DISCOUNT, 1.0),), (3, 6, 12), (0.30, 0.50, 0.20),
                1_000_000, 1.0, 1_000_000, 0),
)
MORTGAGE, CONSUMER, SHORT, LONG, DISCOUNT = range(5)
PRODUCT_MIX = (0.27, 0.33, 0.20, 0.08, 0.12)  # the standing book
# Daily originations: short-lived products are drawn far more often than they weigh
# in the book (a discount lives six months, a mortgage twenty years), so that each
# product's stock stays about where it starts.
NEW_PRODUCT_MIX = (0.05, 0.23, 0.39, 0.03, 0.30)
NEW_LOANS_PER_DAY = 0.0027  # of the opening book, on a weekday
GRADE_SHARE = (0.0, 0.030, 0.009, 0.007, 0.004)  # of loans in grades 2..5 at the start
# Daily chance of moving from grade g (index) down one grade / up one grade.
_DOWN = np.array([0, 0.0002, 0.0008, 0.0006, 0.0005, 0])
_UP = np.array([0, 0, 0.0015, 0.0002, 0, 0])
_SUBJECT_S = np.array(SUBJECTS, dtype=object)
_STATUS_S = np.array(DEP_STATUSES, dtype=object)
_INTERVAL = np.array([p.interval for p in LOAN_PRODUCTS])
_BASIS = np.array(LOAN_BASIS)


def term_index(months: np.ndarray) -> np.ndarray:
    """Term bucket of an original term: M03, M06, Y01, Y02, Y03, Y05 (5 years and over)."""
    return np.searchsorted(np.array([3, 6, 12, 24, 36]), months, side="left") + 1


def months_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whole months from day a to day b (an instalment is due each time this grows)."""
    am = np.asarray(a, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    bm = np.asarray(b, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return bm - am - (day_of_month(b) < day_of_month(a))


def opening_grades(rng: np.random.Generator, prod: np.ndarray) -> np.ndarray:
    """Five-class grades of the opening book by quota, so even a small book has each grade.

    Mortgages, secured by the home, are less often in trouble than the rest.
    """
    n = len(prod)
    grade = np.ones(n, dtype=np.int8)
    quota = [max(1, round(n * share)) for share in GRADE_SHARE[1:]]
    weight = np.where(prod == MORTGAGE, 0.3, 1.0)
    chosen = rng.choice(n, min(sum(quota), n), replace=False, p=weight / weight.sum())
    bounds = np.cumsum([0, *quota])
    for g in range(4):
        grade[chosen[bounds[g]:bounds[g + 1]]] = g + 2
    return grade


def provision_rate(grade: np.ndarray, u: np.ndarray) -> np.ndarray:
    lo = np.array([r[0] for r in PROVISION_RANGE])[grade]
    hi = np.array([r[1] for r in PROVISION_RANGE])[grade]
    return lo + u * (hi - lo)


@dataclass
class LoanRows:
    org: np.ndarray
    cust: np.ndarray
    product: np.ndarray
    ccy: np.ndarray
    subject: np.ndarray
    status: np.ndarray
    bal: np.ndarray  # int64 cents
    per: np.ndarray  # int64 cents of principal per instalment
    rate: np.ndarray  # int64 millionths of a percent
    open: np.ndarray
    close: np.ndarray
    mat: np.ndarray
    grade: np.ndarray  # int8 five-class 1..5
    prov_u: np.ndarray  # float64 where in the grade's provision range this loan sits
    imp: np.ndarray  # int64 cents
    accrued: np.ndarray  # int64 cents
    income: np.ndarray  # int64 cents booked today
    overdue: np.ndarray  # int8: interest is going unpaid
    npl_income: np.ndarray  # int8: still books income although non-performing
    acct: np.ndarray
    sub_s: np.ndarray
    term: np.ndarray
    head: np.ndarray  # object 'org|acct|sub|cust|name|ccy|'
    mid: np.ndarray  # object 'value|maturity|term|rate|contract|method'
    tail: np.ndarray  # object 'risk_weight|small|mgr'
    ftp_rate: np.ndarray
    ftp_day: np.ndarray
    ftp_line: np.ndarray
    rel: np.ndarray
    rel_kind: np.ndarray
    rel_emp: np.ndarray
    rel_start: np.ndarray


class Loans:
    def __init__(self, customers: Customers, staff: Staff, target: int) -> None:
        self.customers = customers
        self.staff = staff
        self.tree = staff.tree
        self.target = target
        self.rows: LoanRows | None = None

    def __len__(self) -> int:
        return 0 if self.rows is None else size(self.rows)

    def borrowers(self, rng: np.random.Generator, products: np.ndarray) -> np.ndarray:
        """A random existing customer of the right kind for each product."""
        kinds = self.customers.rows.kind
        out = np.zeros(len(products), dtype=np.int64)
        for kind in (PERSONAL, CORPORATE):
            pool = np.flatnonzero(kinds == kind)
            want = np.flatnonzero(np.array([LOAN_PRODUCTS[p].cust_kind for p in products.tolist()], dtype=int) == kind)
            out[want] = pool[rng.integers(0, len(pool), len(want))]
        return out

    def open(self, rng: np.random.Generator, cust: np.ndarray, prod: np.ndarray, today: int,
             historical: bool) -> np.ndarray:
        """Open loans (historical ones are back-dated and part-repaid); returns original amounts."""
        n = len(cust)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        custs = self.customers.rows
        months = np.zeros(n, dtype=np.int64)
        method = np.zeros(n, dtype=np.int64)
        for p in np.unique(prod).tolist():
            sel = np.flatnonzero(prod == p)
            lp = LOAN_PRODUCTS[p]
            months[sel] = rng.choice(lp.months, len(sel), p=lp.month_probs)
            codes, probs = zip(*lp.methods, strict=True)
            method[sel] = rng.choice(codes, len(sel), p=probs)
        subject = np.array([LOAN_PRODUCTS[p].subject for p in range(5)])[prod]
        median = np.array([p.median for p in LOAN_PRODUCTS])[prod]
        sigma = np.array([p.sigma for p in LOAN_PRODUCTS])[prod]
        step = np.array([p.step for p in LOAN_PRODUCTS])[prod]
        ccy = np.where((prod == SHORT) & (rng.random(n) < 0.06), USD, CNY)
        orig_cny = median * np.exp(sigma * rng.standard_normal(n)) * 100
        orig = (np.maximum(np.round(orig_cny / np.where(ccy == USD, 7.1, 1.0) / step), 1) * step).astype(np.int64)

        grade = np.ones(n, dtype=np.int8)
        if historical:
            grade = opening_grades(rng, prod)
        term_days = months * 30
        if historical:
            span = np.minimum(term_days, 3650)
            back = 1 + np.floor(rng.random(n) * np.maximum(span - 1, 1)).astype(np.int64)
            npl_bullet = (grade >= 3) & (_INTERVAL[prod] == 0)
            back[npl_bullet] = (term_days[npl_bullet] * rng.uniform(0.5, 2.0, int(npl_bullet.sum()))).astype(np.int64)
            open_day = np.maximum(today - back, custs.open_day[cust])
            open_day = np.minimum(open_day, today - 1)
        else:
            open_day = np.full(n, today, dtype=np.int64)
        mat = add_months(open_day, months)

        interval = _INTERVAL[prod]
        periods = np.where(interval > 0, months // np.maximum(interval, 1), 1)
        per = np.where(interval > 0, -(-orig // periods), orig)
        bal = orig.copy()
        if historical:
            paid = months_between(open_day, np.full(n, today - 1)) // np.maximum(interval, 1)
            paid = np.where((interval > 0) & (grade <= 2), np.clip(paid, 0, periods - 1), 0)
            bal = np.maximum(orig - paid * per, np.minimum(per, orig))

        lo, hi = np.array([LOAN_RATE_RANGE[s] for s in subject]).T
        lo = np.where(ccy == USD, FOREIGN_LOAN_RATE_RANGE[0], lo)
        hi = np.where(ccy == USD, FOREIGN_LOAN_RATE_RANGE[1], hi)
        notches = np.round(lo * 20) + np.floor(rng.random(n) * (np.round((hi - lo) * 20) + 1))
        rate = (notches * 50_000).astype(np.int64)  # 0.05 % steps

        small = custs.small[cust].astype(np.int8)
        rw = np.select([prod == MORTGAGE, prod == CONSUMER, (prod == DISCOUNT) & (months <= 3), prod == DISCOUNT,
                        small == 1], [50, 75, 20, 25, 75], 100)
        org = custs.org[cust]
        mgr = self.staff.pick_cm(rng, org)
        u = rng.random(n)
        mgr[u < 0.10] = -1
        mgr[(u >= 0.10) & (u < 0.105)] = UNKNOWN
        if historical:
            leaver = self.staff.pick_left(rng, org)
            use = (u >= 0.105) & (u < 0.125) & (leaver >= 0)
            mgr[use] = leaver[use]

        prov_u = rng.random(n)
        overdue = np.where(grade >= 3, 1, (grade == 2) & (rng.random(n) < 0.3)).astype(np.int8)
        npl_income = (rng.random(n) < 0.1).astype(np.int8)
        daily = np.rint(bal * (rate / 1e8) / _BASIS[ccy]).astype(np.int64)
        accrued = np.zeros(n, dtype=np.int64)
        if historical:
            backlog = np.where(grade >= 3, rng.integers(30, 400, n), rng.integers(5, 80, n))
            accrued = np.where(overdue == 1, daily * backlog, 0)
        imp = np.rint(bal * provision_rate(grade, prov_u)).astype(np.int64)

        seq = self.customers.take_loan_seq(cust)
        acct = np.array([f"71{c + 1:08d}{s:02d}" for c, s in zip(cust.tolist(), seq.tolist(), strict=True)],
                        dtype=object)
        sub_s = np.array(["0001"] * n, dtype=object)
        term = term_index(months)
        head = np.empty(n, dtype=object)
        head[:] = [f"{o}|{a}|0001|{c}|{nm}|{cc}|" for o, a, c, nm, cc in zip(
            self.tree.ids[org].tolist(), acct.tolist(), cust_ids(cust), custs.name[cust].tolist(),
            [CCY_CODES[c] for c in ccy.tolist()], strict=True)]
        opened = date_strs(open_day).tolist()
        contract = [f"HT{o}{k + 1:04d}" for o, k in zip(opened, rank_within(open_day).tolist(), strict=True)]
        mid = np.empty(n, dtype=object)
        mid[:] = [f"{v}|{m}|{t}|{r}|{c}|{me}" for v, m, t, r, c, me in zip(
            opened, date_strs(mat).tolist(), [TERMS[t] for t in term.tolist()], rates(rate), contract,
            [LOAN_METHODS[m] for m in method.tolist()], strict=True)]
        tail = np.empty(n, dtype=object)
        tail[:] = [f"{w}|{s}|{e}" for w, s, e in
                   zip(rw.tolist(), small.tolist(), self.staff.id_strings(mgr, rng), strict=True)]

        ftp_rate, ftp_day, ftp_line = pricing.assign(rng, "LOAN", acct, sub_s, ccy, term, open_day)
        own = ownership.assign(rng, self.staff, "LOAN", acct.tolist(), sub_s.tolist(), org, mgr, open_day,
                               today, historical)
        new = LoanRows(
            org=org.astype(np.int32), cust=cust.astype(np.int32), product=prod.astype(np.int8),
            ccy=ccy.astype(np.int8), subject=subject.astype(np.int8), status=np.full(n, ST_NORMAL, dtype=np.int8),
            bal=bal, per=per, rate=rate, open=open_day.astype(np.int32), close=np.full(n, NO_DATE, dtype=np.int32),
            mat=mat, grade=grade, prov_u=prov_u, imp=imp, accrued=accrued, income=np.zeros(n, dtype=np.int64),
            overdue=overdue, npl_income=npl_income, acct=acct, sub_s=sub_s, term=term.astype(np.int8),
            head=head, mid=mid, tail=tail, ftp_rate=ftp_rate, ftp_day=ftp_day, ftp_line=ftp_line,
            rel=own.block, rel_kind=own.kind, rel_emp=own.emp, rel_start=own.start,
        )
        self.rows = new if self.rows is None else concat(self.rows, new)
        self._book_interest(np.arange(size(self.rows) - n, size(self.rows)))
        return orig

    def step(self, day: Day, rng: np.random.Generator, leavers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Advance the book to the end of `day`; returns (corporate borrowers, amounts) of new loans."""
        assert self.rows is not None
        self.rows = select(self.rows, self.rows.status != ST_CLOSED)
        self._repay(day, rng)
        self._migrate(rng)
        closing = self._close(day, rng)
        self._provide(closing)
        self._book_interest(np.arange(size(self.rows)))
        r = self.rows
        paying = (r.accrued > 0) & (rng.random(len(r.accrued)) < np.where(r.grade >= 3, 0.003, 0.01))
        r.accrued[paying] -= np.rint(r.accrued[paying] * rng.uniform(0.3, 1.0, int(paying.sum()))).astype(np.int64)
        r.accrued[closing] = 0

        k = int(rng.poisson(self.target * NEW_LOANS_PER_DAY * day.activity))
        prods = rng.choice(5, k, p=NEW_PRODUCT_MIX)
        borrowers = self.borrowers(rng, prods)
        amounts = self.open(rng, borrowers, prods, day.number, historical=False)

        r = self.rows
        alive = r.status != ST_CLOSED
        pricing.reprice(rng, "LOAN", r.acct, r.sub_s, r.ccy, r.term, r.ftp_rate, r.ftp_day, r.ftp_line, alive,
                        day.number)
        ownership.daily_handovers(rng, self.staff, r, "LOAN", alive, leavers, day.number)
        corp = np.array([LOAN_PRODUCTS[p].cust_kind == CORPORATE for p in prods.tolist()], dtype=bool)
        return borrowers[corp], amounts[corp]

    def _repay(self, day: Day, rng: np.random.Generator) -> None:
        """Scheduled instalments on the loan's repayment day, and a few partial prepayments."""
        r = self.rows
        assert r is not None
        n = size(r)
        performing = r.grade <= 2
        interval = _INTERVAL[r.product]
        elapsed = months_between(r.open, np.full(n, day.number))
        short_month = (day.days_to_month_end == 0) & (day_of_month(r.open) > day.date.day)
        elapsed = elapsed + short_month  # a loan of the 31st repays on the 30th (or 28th) in short months
        repay_day = (day_of_month(r.open) == day.date.day) | short_month
        due = (interval > 0) & performing & repay_day & (elapsed > 0) & (elapsed % np.maximum(interval, 1) == 0)
        r.bal[due] -= np.minimum(r.per[due], r.bal[due])
        part = performing & (rng.random(n) < 0.0002)
        cut = np.round(r.bal[part] * rng.uniform(0.1, 0.5, int(part.sum())) / 10_000) * 10_000
        r.bal[part] = np.maximum(r.bal[part] - cut.astype(np.int64), 0)

    def _migrate(self, rng: np.random.Generator) -> None:
        """Five-class grades move rarely, one step at a time; a downgraded loan starts to go unpaid."""
        r = self.rows
        assert r is not None
        g = r.grade.astype(np.int64)
        v = rng.random(len(g))
        down = (v < _DOWN[g]) & (r.grade < 5)
        up = (v > 1 - _UP[g]) & ~down
        r.grade[down] += 1
        r.grade[up] -= 1
        newly_special = down & (r.grade == 2)
        r.overdue[newly_special] = rng.random(int(newly_special.sum())) < 0.3
        r.overdue[r.grade >= 3] = 1
        cured = up & (r.grade == 1)
        r.overdue[cured] = 0
        r.accrued[cured] = 0

    def _close(self, day: Day, rng: np.random.Generator) -> np.ndarray:
        """Paid off, matured, prepaid in full; non-performing loans recovered or written off."""
        r = self.rows
        assert r is not None
        performing = r.grade <= 2
        amortising = _INTERVAL[r.product] > 0
        w = rng.random(len(r.bal))
        closing = ((r.bal <= 0) | ((r.mat <= day.number) & performing)
                   | (performing & amortising & (w < 0.0003))
                   | ((r.grade >= 3) & (w > 1 - 0.0008)) | ((r.grade == 5) & (w > 1 - 0.002)))
        r.status[closing] = ST_CLOSED
        r.close[closing] = day.number
        r.bal[closing] = 0
        return closing

    def _provide(self, closing: np.ndarray) -> None:
        """Provisions move a quarter of the way to the grade's level each day (faster when close)."""
        r = self.rows
        assert r is not None
        target = np.rint(r.bal * provision_rate(r.grade.astype(np.int64), r.prov_u)).astype(np.int64)
        gap = target - r.imp
        r.imp += np.where(np.abs(gap) < 10_000, gap, np.rint(gap * 0.25).astype(np.int64))
        r.imp[closing] = 0

    def _book_interest(self, idx: np.ndarray) -> None:
        """Today's interest: income for performing loans, accrued-unpaid for overdue ones."""
        r = self.rows
        assert r is not None
        live = r.status[idx] != ST_CLOSED
        daily = np.rint(r.bal[idx] * (r.rate[idx] / 1e8) / _BASIS[r.ccy[idx]]).astype(np.int64) * live
        books = (r.grade[idx] <= 2) | (r.npl_income[idx] == 1)
        r.income[idx] = np.where(books, daily, 0)
        r.accrued[idx] += np.where(r.overdue[idx] == 1, daily, 0)

    def lines(self) -> list[str]:
        r = self.rows
        assert r is not None
        return [f"{h}{b}|{s}|{st}|{o}|{c}|{m}|{g}|{i}|{a}|{inc}|{t}" for h, b, s, st, o, c, m, g, i, a, inc, t in zip(
            r.head.tolist(), cents(r.bal), _SUBJECT_S[r.subject].tolist(), _STATUS_S[r.status].tolist(),
            date_strs(r.open).tolist(), date_strs(r.close).tolist(), r.mid.tolist(), r.grade.tolist(),
            cents(r.imp), cents(r.accrued), cents(r.income), r.tail.tolist(), strict=True)]

    def ftp_lines(self) -> list[str]:
        assert self.rows is not None
        return [x for x in self.rows.ftp_line.tolist() if x]

    def rel_lines(self) -> list[str]:
        assert self.rows is not None
        return [x for x in self.rows.rel.tolist() if x]
