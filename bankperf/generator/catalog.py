"""The bank's code tables: currencies, subjects, terms, classes and price grids.

Arrays of state hold small integer indexes into these tuples; the text forms
are looked up only when writing. Everything a reader of the files would call
a "code" is defined here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

FEEDS = ("ORG", "EMP", "CUST", "FX", "DEP", "LOAN", "GL", "CARD", "FEE", "INTL", "FTP", "REL")


@dataclass(frozen=True)
class Currency:
    code: str
    name: str
    cny_rate: float  # starting CNY per unit; moves by a small random walk
    dep_basis: int
    loan_basis: int


CURRENCIES = (
    Currency("CNY", "人民币", 1.0, 360, 365),
    Currency("USD", "美元", 7.10, 360, 360),
    Currency("HKD", "港币", 0.91, 365, 365),
    Currency("EUR", "欧元", 7.75, 360, 360),
    Currency("JPY", "日元", 0.0475, 360, 360),
    Currency("GBP", "英镑", 9.05, 365, 365),
)
CNY, USD, HKD, EUR, JPY, GBP = range(6)
CCY_CODES = tuple(c.code for c in CURRENCIES)
LOAN_BASIS = tuple(c.loan_basis for c in CURRENCIES)

# Subjects (科目). Deposits are liabilities (C), loans assets (D).
SUBJECTS = ("2001", "2002", "2011", "2012", "2021", "2031", "1301", "1302", "1305", "1306", "1311")
S_CORP_DEMAND, S_CORP_TIME, S_PERS_DEMAND, S_PERS_TIME, S_INTERBANK, S_MARGIN = range(6)
S_SHORT, S_LONG, S_MORTGAGE, S_CONSUMER, S_DISCOUNT = range(6, 11)
LOAN_SUBJECT_FIRST = S_SHORT

# Subjects the warehouse does not model but the GL carries.
S_CASH_CODE = "1001"  # cash on hand, every outlet
S_CENTRAL_BANK_CODE = "1003"  # deposits with the central bank, head office
S_INTERBANK_ASSET_CODE = "1011"  # deposits with other banks, head office

TERMS = ("CUR", "M03", "M06", "Y01", "Y02", "Y03", "Y05")
TERM_MONTHS = (0, 3, 6, 12, 24, 36, 60)
T_CUR, T_M03, T_M06, T_Y01, T_Y02, T_Y03, T_Y05 = range(7)

DEP_CLASSES = ("GEN", "MGN", "IB", "DER")
C_GEN, C_MGN, C_IB, C_DER = range(4)

DEP_STATUSES = ("N", "F", "D", "C")
ST_NORMAL, ST_FROZEN, ST_DORMANT, ST_CLOSED = range(4)

LOAN_METHODS = ("C", "G", "M", "P", "D")
M_CREDIT, M_GUARANTEE, M_MORTGAGE, M_PLEDGE, M_DISCOUNT = range(5)

CARD_STATUSES = ("N", "U", "L", "X")
CS_ACTIVE, CS_NEW, CS_LOST, CS_CANCELLED = range(4)

CUST_TYPES = ("P", "C", "I")
PERSONAL, CORPORATE, INTERBANK = range(3)

# Deposit rates offered today, percent, by currency x term (CUR M03 M06 Y01 Y02 Y03 Y05).
DEPOSIT_RATES = {
    CNY: (0.10, 0.85, 1.05, 1.20, 1.30, 1.55, 1.60),
    USD: (0.05, 2.80, 3.00, 3.10, 3.00, 2.90, 2.80),
    HKD: (0.01, 2.20, 2.40, 2.50, 2.40, 2.30, 2.20),
    EUR: (0.01, 1.20, 1.40, 1.50, 1.45, 1.40, 1.35),
    JPY: (0.00, 0.05, 0.08, 0.10, 0.10, 0.10, 0.10),
    GBP: (0.01, 2.50, 2.70, 2.80, 2.70, 2.60, 2.50),
}
INTERBANK_RATES = (0.72, 1.60, 1.70, 1.80, 1.85, 1.90, 1.95)

# Loan rate ranges, percent, by subject (drawn on 0.05 steps).
LOAN_RATE_RANGE = {
    S_SHORT: (3.00, 4.80),
    S_LONG: (3.20, 4.90),
    S_MORTGAGE: (3.05, 4.10),
    S_CONSUMER: (3.50, 7.80),
    S_DISCOUNT: (1.10, 1.80),
}
FOREIGN_LOAN_RATE_RANGE = (5.20, 6.20)

# Head office transfer-price curve, percent, by term; foreign currencies add a spread.
FTP_DEPOSIT_CURVE = (1.50, 1.70, 1.85, 2.00, 2.15, 2.35, 2.50)
FTP_LOAN_CURVE = (1.75, 1.75, 1.85, 2.00, 2.10, 2.20, 2.45)
FTP_FOREIGN_SPREAD = {CNY: 0.0, USD: 2.0, HKD: 1.2, EUR: 0.6, JPY: -1.2, GBP: 1.5}

# Provision rate range per five-class grade (index 1..5).
PROVISION_RANGE = ((0.0, 0.0), (0.010, 0.015), (0.025, 0.050), (0.25, 0.35), (0.50, 0.60), (0.90, 1.00))


@dataclass(frozen=True)
class FeeProduct:
    code: str
    biz_line: str
    median: float  # median amount in CNY
    sigma: float


FEE_PRODUCTS = (
    FeeProduct("SETL01", "CORP", 60.0, 1.0),
    FeeProduct("CASH05", "CORP", 2000.0, 0.9),
    FeeProduct("CNSL06", "CORP", 20000.0, 0.8),
    FeeProduct("GUAR07", "CORP", 5000.0, 0.9),
    FeeProduct("ACPT01", "CORP", 2500.0, 0.9),
    FeeProduct("LN01", "CORP", 8000.0, 1.0),
    FeeProduct("SETL01", "RETAIL", 10.0, 1.0),
    FeeProduct("WMGT02", "RETAIL", 300.0, 1.1),
    FeeProduct("AGNT03", "RETAIL", 500.0, 1.0),
    FeeProduct("CARD04", "RETAIL", 20.0, 0.8),
    FeeProduct("LN02", "RETAIL", 600.0, 0.8),
    FeeProduct("INTL08", "INTL", 200.0, 0.9),
    FeeProduct("FXSP09", "INTL", 300.0, 1.2),
)
# Product mix per biz line (indexes into FEE_PRODUCTS, weights).
FEE_MIX = {
    "CORP": ((0, 1, 2, 3, 4, 5), (0.42, 0.14, 0.06, 0.12, 0.14, 0.12)),
    "RETAIL": ((6, 7, 8, 9, 10), (0.15, 0.30, 0.25, 0.25, 0.05)),
    "INTL": ((11, 12), (0.6, 0.4)),
}
