"""The day's transaction feeds: fee income (FEE) and international settlement (INTL).

Both are drawn fresh each day from the accounts alive that day, so they always
point at existing customers and accounts; they change no state. Volumes are
lower at weekends and fees bunch up at month end.
"""

from __future__ import annotations

import numpy as np

from .catalog import CCY_CODES, CNY, CORPORATE, EUR, FEE_MIX, FEE_PRODUCTS, GBP, HKD, JPY, PERSONAL, ST_NORMAL, USD
from .customers import Customers, cust_ids
from .dates import Day
from .deposits import Deposits
from .fmt import cents
from .staff import UNKNOWN, Staff


def _pick_accounts(rng: np.random.Generator, deposits: Deposits, customers: Customers, n: int,
                   weight_personal: float, weight_other: float) -> np.ndarray:
    r = deposits.rows
    assert r is not None
    live = np.flatnonzero(r.status == ST_NORMAL)
    if len(live) == 0 or n == 0:
        return np.zeros(0, dtype=np.int64)
    w = np.where(customers.rows.kind[r.cust[live]] == PERSONAL, weight_personal, weight_other)
    return live[rng.choice(len(live), n, p=w / w.sum())]


def _emp_column(rng: np.random.Generator, staff: Staff, mgr: np.ndarray, org: np.ndarray,
                probs: tuple[float, float, float, float]) -> list[str]:
    """Who gets the credit: the account's marketer, another CM of the outlet, nobody, or an unknown id."""
    n = len(mgr)
    choice = rng.choice(4, n, p=probs)
    emp = np.where(choice == 0, mgr, -1)
    emp = np.where(choice == 1, staff.pick_cm(rng, org), emp)
    emp = np.where(choice == 3, UNKNOWN, emp)
    return staff.id_strings(emp, rng)


def fee_lines(day: Day, rng: np.random.Generator, deposits: Deposits, customers: Customers, staff: Staff,
              fx_rate: np.ndarray, scale_accounts: int) -> list[str]:
    peak = 1.5 if day.days_to_month_end <= 2 else 1.0
    n = int(rng.poisson(max(3.0, scale_accounts * 0.012) * day.activity * peak))
    rows = _pick_accounts(rng, deposits, customers, n, 1.0, 6.0)
    n = len(rows)
    r = deposits.rows
    assert r is not None
    cust = r.cust[rows]
    kind = customers.rows.kind[cust]
    intl = rng.random(n) < np.where(kind == PERSONAL, 0.03, 0.08)
    line = np.where(intl, "INTL", np.where(kind == PERSONAL, "RETAIL", "CORP"))
    product = np.zeros(n, dtype=np.int64)
    for biz, (items, probs) in FEE_MIX.items():
        sel = np.flatnonzero(line == biz)
        product[sel] = rng.choice(items, len(sel), p=probs)
    median = np.array([p.median for p in FEE_PRODUCTS])[product]
    sigma = np.array([p.sigma for p in FEE_PRODUCTS])[product]
    ccy = np.where(intl, rng.choice([USD, EUR, CNY], n, p=[0.5, 0.1, 0.4]), CNY)
    amount = np.maximum(np.rint(median * np.exp(sigma * rng.standard_normal(n)) * 100 / fx_rate[ccy]), 1)

    u = rng.random(n)
    no_cust = u < 0.03
    no_acct = u < 0.20
    no_sub = u < 0.30
    cust_s = np.where(no_cust, "", np.array(cust_ids(cust), dtype=object))
    acct_s = np.where(no_acct, "", r.acct[rows])
    sub_s = np.where(no_sub, "", r.sub_s[rows])
    emp = _emp_column(rng, staff, r.mgr[rows], r.org[rows], (0.50, 0.20, 0.28, 0.02))
    org_s = staff.tree.ids[r.org[rows]].tolist()
    codes = [FEE_PRODUCTS[p].code for p in product.tolist()]
    d = day.text
    return [f"F{d}{i + 1:06d}|{d}|{o}|{c}|{a}|{s}|{b}|{f}|{cc}|{amt}|{e}" for i, (o, c, a, s, b, f, cc, amt, e) in
            enumerate(zip(org_s, cust_s.tolist(), acct_s.tolist(), sub_s.tolist(), line.tolist(), codes,
                          [CCY_CODES[c] for c in ccy.tolist()], cents(amount.astype(np.int64)), emp, strict=True))]


def intl_lines(day: Day, rng: np.random.Generator, deposits: Deposits, customers: Customers, staff: Staff,
               fx_rate: np.ndarray, scale_accounts: int) -> list[str]:
    n = int(rng.poisson(max(1.0, scale_accounts * 0.0006) * (0.1 if day.weekend else 1.0)))
    rows = _pick_accounts(rng, deposits, customers, n, 0.02, 1.0)
    n = len(rows)
    r = deposits.rows
    assert r is not None
    cust = r.cust[rows]
    kind = customers.rows.kind[cust]
    settle = np.where(kind == CORPORATE, rng.choice(["IMP", "EXP", "REM"], n, p=[0.42, 0.50, 0.08]), "REM")
    ccy = rng.choice([USD, EUR, HKD, JPY, GBP, CNY], n, p=[0.70, 0.12, 0.06, 0.04, 0.01, 0.07])
    usd = np.where(kind == PERSONAL, 5_000 * np.exp(1.0 * rng.standard_normal(n)),
                   150_000 * np.exp(1.2 * rng.standard_normal(n)))
    amount = np.maximum(np.rint(usd * fx_rate[USD] / fx_rate[ccy] * 100), 100).astype(np.int64)
    emp = _emp_column(rng, staff, r.mgr[rows], r.org[rows], (0.60, 0.10, 0.30, 0.0))
    d = day.text
    return [f"I{d}{i + 1:06d}|{d}|{o}|{c}|{e}|{t}|{cc}|{a}" for i, (o, c, e, t, cc, a) in enumerate(zip(
        staff.tree.ids[r.org[rows]].tolist(), cust_ids(cust), emp, settle.tolist(),
        [CCY_CODES[c] for c in ccy.tolist()], cents(amount), strict=True))]
