"""What the assets, checks, hooks and the sensor reach outside Dagster, all in one place: the
inbox of delivered files, the warehouse database, dbt, and where the quality results and the
reconciliation reports go.

Each reads the environment when a run uses it, never when the definitions are imported, so
one code location serves any machine, database and inbox:

- ``BANKPERF_INBOX``: the folder holding ``<YYYYMMDD>/`` deliveries (default ``var/inbox`` in
  the repository). The launchpad, or ``bankperf run --inbox``, can set ``path`` for one run.
- The database: ``BANKPERF_DB_URL`` or ``PG*`` (see :mod:`bankperf.settings`). Orchestration code
  connects through :class:`DatabaseResource`, as the service login of its part; the loaders and the
  reports read the same settings themselves, and the dbt resource exports the transformation's
  login as ``PG*`` for the dbt process (:func:`bankperf.dbt_env.apply_dbt_environment`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property
from importlib import metadata
from pathlib import Path

import psycopg
from dagster import ConfigurableResource, InitResourceContext
from dagster_dbt import DbtCliResource
from packaging import version
from pydantic import Field

from bankperf.dbt_env import apply_dbt_environment
from bankperf.settings import REPO_ROOT, service_settings
from orchestration.project import dbt_executable, dbt_project

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


class WarehouseDbtResource(DbtCliResource):
    """dbt against the configured database: exports ``PG*`` (and no usage statistics) into
    this process when a run starts, so the dbt subprocess Dagster spawns inherits them.

    Two things dagster-dbt (the pinned version) does before every ``dbt build`` that the project
    does not use are skipped, as they cost seconds of every night whatever the bank's size (measured
    in the README, "Scale"): it starts ``dbt --version`` in a subprocess to learn the version, which is
    the installed dbt-core package's (:func:`orchestration.project.dbt_executable` is the dbt beside
    this Python), and it opens a dbt adapter in this process (loading the project, the profile and
    dbt's macros) only for ``fetch_column_metadata`` / ``fetch_row_counts``, which the assets never
    call: the build's own results carry what Dagster shows."""

    def setup_for_execution(self, context: InitResourceContext) -> None:
        apply_dbt_environment()
        super().setup_for_execution(context)

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


class DatabaseResource(ConfigurableResource):
    """The warehouse's PostgreSQL, as :mod:`bankperf.settings` resolves it when a run starts
    (``BANKPERF_DB_URL``, ``PG*``, else the project's own cluster). Not configurable here on
    purpose: the loaders, dbt and the reports read the same settings, so one database is used
    throughout a run, and no password ever shows in the launchpad.

    Each part of the run connects as its own least-privilege login
    (:func:`bankperf.settings.service_settings`): ``loader`` for the raw assets, ``transform`` for
    dbt and the published views, ``orchestrator`` (the default) for the gates, checks, the
    publication log and the reports."""

    def url(self, service: str = "orchestrator") -> str:
        """The connection URL of a service login (with its password: for libraries, never for logs)."""
        return service_settings(service).url

    def connect(self, service: str = "orchestrator", **options) -> psycopg.Connection:
        """A new autocommit connection (use it in a ``with`` block); ``options`` go to psycopg."""
        return psycopg.connect(self.url(service), autocommit=True, **options)


class QualityResource(ConfigurableResource):
    """Where the ``expectations`` checks write each date's GX results and Data Docs."""

    output_dir: str | None = Field(
        default=None,
        description="Folder holding one <YYYYMMDD>/ per date; empty means <BANKPERF_HOME>/quality (var/quality).",
    )

    def root(self) -> Path | None:
        return Path(self.output_dir).expanduser().resolve() if self.output_dir else None


class PublicationResource(ConfigurableResource):
    """Where the run writes each date's reconciliation report."""

    recon_dir: str | None = Field(
        default=None,
        description="Folder holding one <YYYYMMDD>/ per date; empty means <BANKPERF_HOME>/recon (var/recon).",
    )

    def root(self) -> Path | None:
        return Path(self.recon_dir).expanduser().resolve() if self.recon_dir else None


def warehouse_resources() -> dict[str, ConfigurableResource]:
    """Every resource of the code location under its key, with its defaults."""
    return {
        "inbox": InboxResource(),
        "database": DatabaseResource(),
        "quality": QualityResource(),
        "publication": PublicationResource(),
        "dbt": WarehouseDbtResource(project_dir=dbt_project(), dbt_executable=dbt_executable()),
    }
