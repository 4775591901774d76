"""Dagster orchestration of the warehouse: one code location, ``orchestration.definitions``.

Layout: ``definitions.py`` only assembles; ``assets/raw.py`` (a loader asset per feed),
``assets/checks.py`` (the blocking raw checks), ``assets/freshness.py`` (source freshness),
``assets/dbt.py`` (the dbt project, tests as asset checks; ``translator.py`` maps dbt to asset
keys), ``assets/publishing.py`` (publication and the failure hook); ``partitions.py`` (the one
daily partitioning), ``jobs.py`` (``nightly``, ``raw_freshness_job``), ``schedules.py``,
``sensors.py``, ``deliveries.py`` (what the inbox holds and which runs cover it),
``resources.py`` (every resource), ``project.py`` (the cached ``DbtProject`` and ``dbt parse``),
``instance.py`` (``DAGSTER_HOME`` and its generated ``dagster.yaml``), ``dagster_internals.py``
(the only imports from ``dagster._core``), ``headless.py`` (``bankperf run``).

The domain (``bankperf``, ``loaders``) never imports this package; this package imports it.

Entry points: ``bankperf run --inbox DIR --from D1 --to D2`` (headless, :mod:`orchestration.headless`);
``python -m orchestration`` then ``dagster dev -w workspace.yaml`` (UI, schedule, sensor).

Environment, read when used: ``BANKPERF_DB_URL`` / ``PG*`` (database), ``BANKPERF_INBOX``
(inbox, default ``var/inbox``), ``DAGSTER_HOME`` (default ``var/dagster``),
``BANKPERF_DAGSTER_STORAGE`` (``sqlite`` or ``postgres``), ``BANKPERF_PARTITIONS_START``
(first business date, default 2020-01-01; read when the definitions are built).
"""
