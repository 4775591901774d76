"""bankperf: an open data warehouse for a commercial bank's performance appraisal."""

__version__ = "0.1.0"
