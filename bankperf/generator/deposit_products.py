"""The deposit products the bank sells, and how each one's balance behaves.

A sub-account is an instance of one product: the product fixes its customer
type, currency, GL subject, deposit class, whether it is a time deposit (and
the usual spread of terms), the size of opening amounts and the balance
behaviour profile the ledger simulates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalog import (
    C_DER,
    C_GEN,
    C_IB,
    C_MGN,
    CNY,
    CORPORATE,
    EUR,
    HKD,
    INTERBANK,
    PERSONAL,
    S_CORP_DEMAND,
    S_CORP_TIME,
    S_INTERBANK,
    S_MARGIN,
    S_PERS_DEMAND,
    S_PERS_TIME,
    USD,
)

# Balance behaviour profiles: fixed principal, retail, business (window-dressed), money market.
STATIC, RETAIL, BUSINESS, MONEY_MARKET = range(4)


@dataclass(frozen=True)
class Product:
    key: str
    cust_kind: int
    ccy: int
    subject: int
    dclass: int
    margin_acct: bool  # opened under the customer's margin account number
    median: float  # opening amount median, in the currency
    sigma: float
    step: int  # opening amounts rounded to this many cents
    terms: tuple[float, ...] | None  # probabilities over M03..Y05; None for demand
    behaviour: int


_PERS_TERMS = (0.15, 0.20, 0.30, 0.10, 0.20, 0.05)
_CORP_TERMS = (0.20, 0.25, 0.35, 0.05, 0.15, 0.00)
PRODUCTS = (
    Product("P_DEMAND_CNY", PERSONAL, CNY, S_PERS_DEMAND, C_GEN, False, 6_000, 1.8, 1, None, RETAIL),
    Product("P_TIME_CNY", PERSONAL, CNY, S_PERS_TIME, C_GEN, False, 50_000, 1.0, 10_000, _PERS_TERMS, STATIC),
    Product("P_DEMAND_USD", PERSONAL, USD, S_PERS_DEMAND, C_GEN, False, 3_000, 1.3, 1, None, RETAIL),
    Product("P_DEMAND_HKD", PERSONAL, HKD, S_PERS_DEMAND, C_GEN, False, 20_000, 1.2, 1, None, RETAIL),
    Product("P_TIME_USD", PERSONAL, USD, S_PERS_TIME, C_GEN, False, 10_000, 1.0, 10_000, _PERS_TERMS, STATIC),
    Product("C_DEMAND_CNY", CORPORATE, CNY, S_CORP_DEMAND, C_GEN, False, 200_000, 2.0, 1, None, BUSINESS),
    Product("C_TIME_CNY", CORPORATE, CNY, S_CORP_TIME, C_GEN, False, 2_000_000, 1.0, 1_000_000, _CORP_TERMS, STATIC),
    Product("C_MARGIN", CORPORATE, CNY, S_MARGIN, C_MGN, True, 300_000, 1.2, 10_000,
            (0.30, 0.50, 0.20, 0.0, 0.0, 0.0), STATIC),
    Product("C_DERIVED", CORPORATE, CNY, S_CORP_DEMAND, C_DER, False, 500_000, 1.2, 1, None, BUSINESS),
    Product("C_DEMAND_USD", CORPORATE, USD, S_CORP_DEMAND, C_GEN, False, 80_000, 1.5, 1, None, BUSINESS),
    Product("C_DEMAND_EUR", CORPORATE, EUR, S_CORP_DEMAND, C_GEN, False, 50_000, 1.3, 1, None, BUSINESS),
    Product("C_DEMAND_HKD", CORPORATE, HKD, S_CORP_DEMAND, C_GEN, False, 300_000, 1.3, 1, None, BUSINESS),
    Product("C_TIME_USD", CORPORATE, USD, S_CORP_TIME, C_GEN, False, 500_000, 1.0, 100_000, _CORP_TERMS, STATIC),
    Product("I_DEMAND_CNY", INTERBANK, CNY, S_INTERBANK, C_IB, False, 20_000_000, 1.0, 1, None, MONEY_MARKET),
    Product("I_TIME_CNY", INTERBANK, CNY, S_INTERBANK, C_IB, False, 50_000_000, 0.8, 100_000_000,
            (0.40, 0.35, 0.25, 0.0, 0.0, 0.0), STATIC),
    Product("I_DEMAND_USD", INTERBANK, USD, S_INTERBANK, C_IB, False, 2_000_000, 1.0, 1, None, MONEY_MARKET),
)
BY_KEY = {p.key: i for i, p in enumerate(PRODUCTS)}
P_DEMAND_CNY, P_TIME_CNY, P_DEMAND_USD, P_DEMAND_HKD, P_TIME_USD = (BY_KEY[k] for k in (
    "P_DEMAND_CNY", "P_TIME_CNY", "P_DEMAND_USD", "P_DEMAND_HKD", "P_TIME_USD"))
C_DEMAND_CNY, C_TIME_CNY, C_MARGIN, C_DERIVED, C_DEMAND_USD = (BY_KEY[k] for k in (
    "C_DEMAND_CNY", "C_TIME_CNY", "C_MARGIN", "C_DERIVED", "C_DEMAND_USD"))
I_DEMAND_CNY, I_TIME_CNY, I_DEMAND_USD = BY_KEY["I_DEMAND_CNY"], BY_KEY["I_TIME_CNY"], BY_KEY["I_DEMAND_USD"]

MAIN_PRODUCT = np.array([P_DEMAND_CNY, C_DEMAND_CNY, I_DEMAND_CNY])
# What else customers hold besides their main demand account, by customer type.
EXTRA_MIX = {
    PERSONAL: ((P_TIME_CNY, P_DEMAND_USD, P_DEMAND_HKD, P_TIME_USD), (0.83, 0.08, 0.05, 0.04)),
    CORPORATE: ((C_DEMAND_USD, C_TIME_CNY, C_MARGIN, C_DERIVED, BY_KEY["C_DEMAND_EUR"], BY_KEY["C_DEMAND_HKD"],
                 BY_KEY["C_TIME_USD"]), (0.14, 0.34, 0.25, 0.15, 0.04, 0.03, 0.05)),
    INTERBANK: ((I_TIME_CNY, I_DEMAND_USD), (0.7, 0.3)),
}

# Product attributes as arrays, indexable by an array of product numbers.
COLUMNS = {f: np.array([getattr(p, f) for p in PRODUCTS])
           for f in ("cust_kind", "ccy", "subject", "dclass", "margin_acct", "median", "sigma", "step", "behaviour")}
IS_TIME = np.array([p.terms is not None for p in PRODUCTS])
