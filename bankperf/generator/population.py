"""The opening population: the bank as it stands at the end of the day before the first file.

Exactly `accounts` deposit sub-accounts are opened over the customers: every
customer has a main demand account (sub 0001) and some hold more (time
deposits, foreign-currency accounts, margin and derived deposits for
corporates). Loans, cards and the unmodelled GL balances are laid on top.
All of it is back-dated: open dates precede the first business date, time
deposits and loans are spread over their terms so that they keep maturing
day after day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cards import Cards, build_cards
from .catalog import CORPORATE, INTERBANK, PERSONAL, TERM_MONTHS
from .customers import Customers, historical_open_days
from .dates import add_months
from .deposit_products import EXTRA_MIX, MAIN_PRODUCT, PRODUCTS
from .deposits import Deposits, OpenRequest, merge
from .fx import FxTable
from .ledger import Ledger
from .loans import PRODUCT_MIX, Loans
from .orgs import OrgTree, build_tree
from .rng import Streams
from .sizing import Scale
from .staff import Staff, build_staff

_SUBS_PER_CUSTOMER = {PERSONAL: 0.6, CORPORATE: 1.8, INTERBANK: 1.0}  # extra sub-accounts, Poisson mean


@dataclass
class Opening:
    tree: OrgTree
    staff: Staff
    customers: Customers
    deposits: Deposits
    loans: Loans
    cards: Cards
    ledger: Ledger
    fx: FxTable


def plan_customers(rng: np.random.Generator, accounts: int) -> tuple[np.ndarray, np.ndarray]:
    """Customer types and how many deposit sub-accounts each holds, summing to `accounts`."""
    n = max(10, round(accounts / 1.68))
    n_ib = max(3, round(0.005 * n))
    n_corp = max(5, round(0.07 * n))
    kinds = np.array([INTERBANK] * n_ib + [CORPORATE] * n_corp + [PERSONAL] * (n - n_ib - n_corp), dtype=np.int8)
    kinds = kinds[rng.permutation(n)]
    extra_mean = np.array([_SUBS_PER_CUSTOMER[k] for k in (PERSONAL, CORPORATE, INTERBANK)])[kinds]
    counts = 1 + rng.poisson(extra_mean)
    gap = accounts - int(counts.sum())
    if gap > 0:
        np.add.at(counts, rng.choice(n, gap, p=extra_mean / extra_mean.sum()), 1)
    elif gap < 0:
        spare = np.repeat(np.arange(n), counts - 1)
        take = rng.choice(len(spare), min(-gap, len(spare)), replace=False)
        np.add.at(counts, spare[take], -1)
        gap = accounts - int(counts.sum())
        if gap < 0:  # every customer is down to one account: drop customers
            kinds, counts = kinds[:accounts], counts[:accounts]
    return kinds, counts


def open_deposits(rng: np.random.Generator, deposits: Deposits, customers: Customers, counts: np.ndarray,
                  today: int) -> None:
    """Main accounts since the customer's first day; extra sub-accounts spread over time."""
    rows = customers.rows
    n = len(counts)
    cust = np.arange(n)
    main = OpenRequest(cust, MAIN_PRODUCT[rows.kind], rows.open_day.astype(np.int64))

    holder = np.repeat(cust, counts - 1)
    m = len(holder)
    product = np.zeros(m, dtype=np.int64)
    hk = rows.kind[holder]
    for kind, (items, probs) in EXTRA_MIX.items():
        sel = np.flatnonzero(hk == kind)
        product[sel] = rng.choice(items, len(sel), p=probs)
    term = np.zeros(m, dtype=np.int64)
    is_time = np.array([PRODUCTS[p].terms is not None for p in range(len(PRODUCTS))])[product]
    for p in np.unique(product[is_time]).tolist():
        sel = np.flatnonzero(product == p)
        term[sel] = 1 + rng.choice(6, len(sel), p=PRODUCTS[p].terms)
    # Time deposits: maturities spread over the coming term, so some mature every day.
    months = np.array(TERM_MONTHS)[term]
    maturity = today + 3 + np.floor(rng.random(m) * np.maximum(months * 30 - 3, 1)).astype(np.int64)
    time_open = add_months(maturity, -months).astype(np.int64)
    since = rows.open_day[holder].astype(np.int64)
    demand_open = since + np.floor(rng.random(m) * np.maximum(today - 1 - since, 0)).astype(np.int64)
    extra = OpenRequest(holder, product, np.where(is_time, time_open, demand_open), None, term)
    deposits.open(rng, merge([main, extra]), today, historical=True)


def build_opening(streams: Streams, scale: Scale, today: int) -> Opening:
    tree = build_tree(streams.initial("orgs"), scale, today)
    staff = build_staff(streams.initial("staff"), scale, tree, today)

    rng = streams.initial("customers")
    kinds, counts = plan_customers(rng, scale.accounts)
    customers = Customers(tree)
    orgs = customers.pick_orgs(rng, kinds)
    customers.add(rng, kinds, orgs, historical_open_days(rng, orgs, tree, today), today)

    deposits = Deposits(customers, staff)
    open_deposits(streams.initial("deposits"), deposits, customers, counts, today)

    rng = streams.initial("loans")
    loans = Loans(customers, staff, scale.loans)
    products = rng.choice(len(PRODUCT_MIX), scale.loans, p=PRODUCT_MIX)
    loans.open(rng, loans.borrowers(rng, products), products, today, historical=True)

    cards = Cards(customers, staff, scale.cards)
    build_cards(streams.initial("cards"), cards, scale.cards, today)
    return Opening(tree, staff, customers, deposits, loans, cards, Ledger(streams.initial("ledger"), tree), FxTable())
