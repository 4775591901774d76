"""One simulated bank, advanced one business date at a time.

The order within a day is the order of cause and effect: the org tree and the
staff change first (an account opened today picks from today's marketers),
then customers arrive, loans are drawn (leaving derived deposits), deposits
move, open and close, cards follow, and finally the day's transactions and the
general ledger are taken from the resulting state. Each step draws from its
own random stream for that day (see rng.py).
"""

from __future__ import annotations

from .catalog import FEEDS
from .dates import Day
from .ledger import break_lines, detail_totals, gl_lines
from .population import build_opening
from .rng import Streams
from .sizing import Scale
from .transactions import fee_lines, intl_lines


class Bank:
    def __init__(self, seed: int, accounts: int, first_day: Day) -> None:
        self.streams = Streams(seed)
        self.scale = Scale(accounts)
        opening = build_opening(self.streams, self.scale, first_day.number)
        self.tree = opening.tree
        self.staff = opening.staff
        self.customers = opening.customers
        self.deposits = opening.deposits
        self.loans = opening.loans
        self.cards = opening.cards
        self.ledger = opening.ledger
        self.fx = opening.fx

    def simulate(self, day: Day, gl_break: bool = False) -> dict[str, list[str]]:
        """Advance to the end of `day` and return every feed's lines (or multi-line chunks)."""
        s = self.streams
        t = day.index
        self.tree.maybe_reparent(day)
        leavers = self.staff.step(day, s.daily(t, "staff"))
        self.fx.step(s.daily(t, "fx"))
        new_customers = self.customers.step(day, s.daily(t, "customers"), self.scale.accounts * 0.00015)
        borrowers, amounts = self.loans.step(day, s.daily(t, "loans"), leavers)
        self.deposits.step(day, s.daily(t, "deposits"), new_customers, borrowers, amounts, leavers)
        self.cards.step(day, s.daily(t, "cards"), new_customers)
        self.ledger.step(s.daily(t, "ledger"))

        dep, loan = self.deposits.rows, self.loans.rows
        assert dep is not None and loan is not None
        detail = detail_totals(self.tree, [(dep.org, dep.subject, dep.ccy, dep.bal),
                                           (loan.org, loan.subject, loan.ccy, loan.bal)])
        if gl_break:
            detail = break_lines(s.daily(t, "gl-break"), detail)
        feeds = {
            "ORG": self.tree.lines(),
            "EMP": self.staff.lines(),
            "CUST": self.customers.lines(),
            "FX": self.fx.lines(),
            "DEP": self.deposits.lines(),
            "LOAN": self.loans.lines(),
            "GL": gl_lines(detail, self.ledger.other_lines()),
            "CARD": self.cards.lines(),
            "FEE": fee_lines(day, s.daily(t, "fee"), self.deposits, self.customers, self.staff, self.fx.rate,
                             self.scale.accounts),
            "INTL": intl_lines(day, s.daily(t, "intl"), self.deposits, self.customers, self.staff, self.fx.rate,
                               self.scale.accounts),
            "FTP": self.deposits.ftp_lines() + self.loans.ftp_lines(),
            "REL": self.deposits.rel_lines() + self.loans.rel_lines() + self.cards.rel_lines(),
        }
        assert tuple(feeds) == FEEDS
        return feeds
