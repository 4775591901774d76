"""Dagster orchestration of the warehouse: one code location, ``orchestration.definitions``.

Layout: ``definitions.py`` only assembles; ``assets/raw.py`` (a loader asset per feed),
``assets/dbt.py`` (the dbt project, tests as asset checks); ``partitions.py`` (the one daily
partitioning), ``jobs.py`` (``nightly``), ``schedules.py``, ``sensors.py``,
``deliveries.py`` (what the inbox holds and which runs cover it), ``resources.py``,
``project.py`` (the cached ``DbtProject`` and ``dbt parse``), ``instance.py``
(``DAGSTER_HOME`` and its generated ``dagster.yaml``).

Entry points: ``bankperf run --inbox DIR --from D1 --to D2`` (headless, :mod:`orchestration.headless`);
``python -m orchestration`` then ``dagster dev -w workspace.yaml`` (UI, schedule, sensor).

Environment, read when used: ``BANKPERF_DB_URL`` / ``PG*`` (database), ``BANKPERF_INBOX``
(inbox, default ``var/inbox``), ``DAGSTER_HOME`` (default ``var/dagster``),
``BANKPERF_DAGSTER_STORAGE`` (``sqlite`` or ``postgres``), ``BANKPERF_PARTITIONS_START``
(first business date, default 2020-01-01; read when the definitions are built).
"""
