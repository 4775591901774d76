"""``python -m bankperf.quality --date YYYYMMDD [--feed DEP ...]``: validate loaded days by hand.

Prints one line per feed and every failed expectation; exits 1 if any blocking one failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from bankperf.quality.validate import validate_day
from loaders.contract import feeds


def _date(text: str) -> dt.date:
    for form in ("%Y%m%d", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYYMMDD or YYYY-MM-DD)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bankperf.quality", description=__doc__.split("\n")[0])
    parser.add_argument("--date", required=True, type=_date, action="append", help="business date (repeatable)")
    parser.add_argument("--feed", action="append", choices=list(feeds()), help="feed code (repeatable; default all)")
    parser.add_argument("--output", type=Path, help="results folder (default <BANKPERF_HOME>/quality)")
    args = parser.parse_args(argv)
    blocked = False
    for biz_date in args.date:
        for validation in validate_day(biz_date, args.feed, args.output).values():
            print(validation.summary())
            for failure in validation.failures:
                print(f"  {failure.message}")
            blocked = blocked or not validation.success
        print(f"Data Docs: {validation.docs_index}")
    return 1 if blocked else 0


if __name__ == "__main__":
    sys.exit(main())
