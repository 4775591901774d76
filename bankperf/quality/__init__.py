"""Data-quality gates at the raw boundary: great-expectations 1.x suites over each feed's day.

The rules are data (:mod:`bankperf.quality.rules`), generated into the committed GX project
under ``expectations/gx/`` (:mod:`bankperf.quality.build`), and run per feed and business
date with the work done in PostgreSQL (:mod:`bankperf.quality.validate`)::

    from bankperf.quality import validate_feed
    result = validate_feed("DEP", datetime.date(2026, 1, 5))
    result.success      # False when a blocking (critical) expectation failed
    result.failures     # each with .message naming the feed, date, rule and sample keys
    result.docs_path    # the Data Docs page of this run, under var/quality/20260105/

Importing this package does not import great-expectations; the first validation does.
"""

from bankperf.quality.validate import (
    FailedExpectation,
    FeedValidation,
    QualityError,
    day_folder,
    validate_day,
    validate_feed,
)

__all__ = ["FailedExpectation", "FeedValidation", "QualityError", "day_folder", "validate_day", "validate_feed"]
