"""The appraisal cycle (issue 15): period close into an append-only results store, reopening,
differences since the close, the pay export. 360-degree ratings, grade quotas, confirmations and
overrides and manual indicators are management inputs (``bankperf/manage/kinds.yaml``) that the
dbt marts under ``marts/appraisal`` and ``marts/indicators`` read."""
