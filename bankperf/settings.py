"""Where things are and how to reach the database.

Everything that varies by machine comes from environment variables with safe local
defaults, read when asked for (never at import time), so tests and Dagster resources
can point the project at another database without touching code.

- ``BANKPERF_DB_URL``: a full ``postgresql://`` URL; or the standard ``PGHOST``,
  ``PGPORT``, ``PGUSER``, ``PGPASSWORD``, ``PGDATABASE``. When either is set the
  project uses that database and never starts its own.
- ``BANKPERF_HOME``: where the project keeps its own cluster, logs and Dagster home
  (default: ``var/`` in the repository).
- ``BANKPERF_DB_PORT``: the port of the project's own cluster (default 55432).
- ``BANKPERF_<SERVICE>_USER`` / ``BANKPERF_<SERVICE>_PASSWORD`` (SERVICE: ``LOADER``,
  ``TRANSFORM``, ``ORCHESTRATOR``): the login each part of the nightly job connects as
  (:func:`service_settings`; default user ``bankperf_<service>``, password generated into
  ``var/db/<service>_password`` on the project's cluster). Host, port and database are the
  configured ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PORT = 55432
DEFAULT_DATABASE = "bankperf"
DEFAULT_USER = "bankperf"


def home() -> Path:
    """The project's private state folder (git-ignored)."""
    return Path(os.environ.get("BANKPERF_HOME", REPO_ROOT / "var")).resolve()


def _local_password() -> str:
    """The password generated for the project's own cluster on its first start."""
    path = home() / "db" / "password"
    return path.read_text().strip() if path.exists() else ""


# The service logins of the nightly job (issue 13): who loads, who transforms, who orchestrates.
SERVICES = {"loader": "bankperf_loader", "transform": "bankperf_transform", "orchestrator": "bankperf_orchestrator"}


def service_password_file(service: str) -> Path:
    """Where the project's cluster keeps a service login's generated password (mode 600)."""
    return home() / "db" / f"{service}_password"


def is_project_cluster(db: DbSettings) -> bool:
    """Whether ``db`` is on the project's own cluster (its generated service passwords apply there)."""
    own_port = int(os.environ.get("BANKPERF_DB_PORT", DEFAULT_PORT))
    local = db.host in ("127.0.0.1", "localhost", "::1")
    return local and db.port == own_port and (home() / "db" / "pgdata" / "PG_VERSION").exists()


def service_settings(service: str) -> DbSettings:
    """How one part of the nightly job connects: the configured host, port and database as its own
    least-privilege login (``loader``, ``transform`` or ``orchestrator``).

    The password is ``BANKPERF_<SERVICE>_PASSWORD``, else (on the project's cluster) the one
    ``bankperf db start`` generated. Without either (a configured database whose service logins
    were not given passwords) the service uses the configured login, as before issue 13:
    ``bankperf db grant`` with the passwords in the environment switches it over."""
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    db = db_settings()
    user = os.environ.get(f"BANKPERF_{service.upper()}_USER", SERVICES[service])
    password = os.environ.get(f"BANKPERF_{service.upper()}_PASSWORD", "")
    path = service_password_file(service)
    if not password and is_project_cluster(db) and path.exists():
        password = path.read_text().strip()
    if not password:
        return db
    return DbSettings(db.host, db.port, user, password, db.database, db.external)


@dataclass(frozen=True)
class DbSettings:
    """Connection parameters, in the form both libpq and dbt want them."""

    host: str
    port: int
    user: str
    password: str
    database: str
    external: bool  # True when the environment names a database: never start our own

    @property
    def url(self) -> str:
        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        return f"postgresql://{auth}@{self.host}:{self.port}/{quote(self.database, safe='')}"

    @property
    def redacted_url(self) -> str:
        """The URL as it may be printed: never a password on screen or in logs."""
        if not self.password:
            return self.url
        return self.url.replace(":" + quote(self.password, safe="") + "@", ":***@")

    def env(self) -> dict[str, str]:
        """The PG* variables that make dbt's profiles.yml and libpq tools use this database."""
        return {
            "PGHOST": self.host,
            "PGPORT": str(self.port),
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGDATABASE": self.database,
        }


def db_settings() -> DbSettings:
    """Read the connection settings from the environment, defaulting to the project's cluster."""
    url = os.environ.get("BANKPERF_DB_URL")
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in ("postgresql", "postgres"):
            raise ValueError(f"BANKPERF_DB_URL must be a postgresql:// URL, got scheme {parsed.scheme!r}")
        return DbSettings(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 5432,
            user=unquote(parsed.username or DEFAULT_USER),
            password=unquote(parsed.password or ""),
            database=unquote(parsed.path.lstrip("/") or DEFAULT_DATABASE),
            external=True,
        )
    external = any(os.environ.get(name) for name in ("PGHOST", "PGPORT", "PGDATABASE"))
    return DbSettings(
        host=os.environ.get("PGHOST", "127.0.0.1"),
        port=int(os.environ.get("PGPORT", os.environ.get("BANKPERF_DB_PORT", DEFAULT_PORT))),
        user=os.environ.get("PGUSER", DEFAULT_USER),
        password=os.environ.get("PGPASSWORD") or ("" if external else _local_password()),
        database=os.environ.get("PGDATABASE", DEFAULT_DATABASE),
        external=external,
    )
