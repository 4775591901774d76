"""How every dbt invocation of the project is set up: the repository as project and
profiles folder, the transformation's login on the configured database (``BANKPERF_DBT_*``,
which ``profiles.yml`` reads: not ``PG*``, so the process's own settings stay as configured),
and no usage statistics."""

from __future__ import annotations

import os

from bankperf.settings import REPO_ROOT, service_settings

PROJECT_DIR = REPO_ROOT
PROFILES_DIR = REPO_ROOT


def dbt_environment() -> dict[str, str]:
    """Environment variables for a dbt process (or to export before running dbt by hand): dbt connects
    as the transformation's login (``bankperf_transform``), which owns what dbt builds."""
    transform = service_settings("transform")
    return {
        "BANKPERF_DBT_HOST": transform.host,
        "BANKPERF_DBT_PORT": str(transform.port),
        "BANKPERF_DBT_USER": transform.user,
        "BANKPERF_DBT_PASSWORD": transform.password,
        "BANKPERF_DBT_DATABASE": transform.database,
        "DBT_PROFILES_DIR": str(PROFILES_DIR),
        "DBT_PROJECT_DIR": str(PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }


def apply_dbt_environment() -> None:
    """Put the dbt environment into this process (Dagster's dbt CLI resource inherits it)."""
    os.environ.update(dbt_environment())
