"""How every dbt invocation of the project is set up: the repository as project and
profiles folder, the PG* variables of the configured database, and no usage statistics."""

from __future__ import annotations

import os

from bankperf.settings import REPO_ROOT, db_settings

PROJECT_DIR = REPO_ROOT
PROFILES_DIR = REPO_ROOT


def dbt_environment() -> dict[str, str]:
    """Environment variables for a dbt process (or to export before running dbt by hand)."""
    return {
        **db_settings().env(),
        "DBT_PROFILES_DIR": str(PROFILES_DIR),
        "DBT_PROJECT_DIR": str(PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }


def apply_dbt_environment() -> None:
    """Put the dbt environment into this process (Dagster's dbt CLI resource inherits it)."""
    os.environ.update(dbt_environment())
