"""What the assets reach outside Dagster: the inbox of delivered files and dbt.

Both read the environment when a run uses them, never when the definitions are imported, so
one code location serves any machine, database and inbox:

- ``BANKPERF_INBOX``: the folder holding ``<YYYYMMDD>/`` deliveries (default ``var/inbox`` in
  the repository). The launchpad, or ``bankperf run --inbox``, can set ``path`` for one run.
- The database: ``BANKPERF_DB_URL`` or ``PG*`` (see :mod:`bankperf.settings`); the loaders read it
  themselves, and the dbt resource exports it as ``PG*`` for the dbt process
  (:func:`bankperf.dbt_env.apply_dbt_environment`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from dagster_dbt import DbtCliResource
from pydantic import Field

from bankperf.dbt_env import apply_dbt_environment
from bankperf.settings import REPO_ROOT

INBOX_VARIABLE = "BANKPERF_INBOX"


class InboxResource(ConfigurableResource):
    """The folder the core system delivers into: ``<inbox>/<YYYYMMDD>/READY`` and the feed files."""

    path: str | None = Field(
        default=None,
        description=f"Inbox folder; empty means ${INBOX_VARIABLE}, else var/inbox in the repository.",
    )

    def root(self) -> Path:
        """The inbox folder this run reads (resolved now, from config or the environment)."""
        chosen = self.path or os.environ.get(INBOX_VARIABLE) or str(REPO_ROOT / "var" / "inbox")
        return Path(chosen).expanduser().resolve()

    def ready_file(self, day_folder: str) -> Path:
        """Where the marker of a day's complete delivery is (``day_folder`` is ``YYYYMMDD``)."""
        return self.root() / day_folder / "READY"


def dbt_executable() -> str:
    """The dbt installed beside this Python, so runs work without an activated virtualenv."""
    beside = Path(sys.executable).parent / "dbt"
    return os.fspath(beside) if beside.exists() else "dbt"


class WarehouseDbtResource(DbtCliResource):
    """dbt against the configured database: exports ``PG*`` (and no usage statistics) into
    this process when a run starts, so the dbt subprocess Dagster spawns inherits them."""

    def setup_for_execution(self, context: InitResourceContext) -> None:
        apply_dbt_environment()
        super().setup_for_execution(context)
