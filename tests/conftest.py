"""Shared fixtures: the real PostgreSQL (the project's own cluster, or BANKPERF_DB_URL), databases of
the tests' own so tests never see each other's data, a built warehouse, and a private Dagster instance.

How a test module gets a database (cheapest first; every one is a real PostgreSQL database that the
module's code reaches through ``BANKPERF_DB_URL``, set while the fixture lives):

- ``warehouse_db`` (module): a copy of the session's **built warehouse** — the bank of
  ``tests/warehouse.py`` (300 generated accounts, 30 and 31 Dec 2025 run through the real nightly
  job, 1 Jan 2026 delivered in ``warehouse_db["inbox"]`` but not run; published; reports and Data
  Docs under ``warehouse_db["home"]``). The nightly job runs once per session (in ``built_warehouse``);
  each module gets its own copy by ``CREATE DATABASE ... TEMPLATE`` in about a second, and may change
  it freely. Use it whenever a built, published warehouse is all the test needs; treat the inbox as
  read-only (copy it to change files). To run a further night: request ``dagster_home`` too and call
  ``orchestration.headless.run(warehouse_db["inbox"], day, day)`` (see tests/test_portal.py).
- ``fresh_db`` (module) / ``own_db`` (one test): an empty database already set up (schemas, tables,
  roles, grants, owners: a copy of ``template_db``), for hand-built banks loaded and built by the
  module itself. Build only what the test reads: ``dbt build --select tag:daily,+<model>`` rather than
  every model (tests/test_dbt_core.py), one dbt invocation per window, through ``tests/dbt_runs.py``
  (``run_dbt([*BUILD, ...])``: dbt in the test process on one parse of the project per module, instead of
  a ``dbt`` subprocess that re-parses the whole project for every new window).
- ``clone_database(server, source, name)`` copies any database (e.g. a module's own built state, to
  give several tests the same starting point without rebuilding it).

The nightly job connects as its service logins (issue 13); a test database is set up for them, and the
tests' own connections (the URL above) are the configured superuser login, which may read everything.

Speed, without changing what runs: a Dagster run on SQLite storage commits (and syncs to disk)
once per event, over a thousand times a run, so the private Dagster home lives in memory
(``/dev/shm``) where the machine has it; the throwaway test databases do not wait for their WAL
to reach the disk at commit (``synchronous_commit = off``: the same transactions and the same
atomicity, only a crash of the server itself could lose the last commits); and a module whose
runs share one window parses the dbt project with that window's vars (``dbt_parse_vars``), so
its builds reuse the parse instead of re-parsing the whole project.

In parallel (``pytest -n 2 --dist loadfile``, as ``make test`` runs it: each worker process runs whole
modules, so a module's fixtures live in one worker): every worker has its own template database and its
own dbt target and log folders (``DBT_TARGET_PATH``/``DBT_LOG_PATH``: dbt's parse, the manifest the
Dagster definitions read, the builds' folders); the built warehouse is made once for all the workers (by
the first that needs it, under a file lock; the others wait and copy it too) and dropped by the
controlling process when every worker is done; starting the server is one worker at a time; and the
access setup of a database takes a server-wide lock (:func:`bankperf.access.setup.server_lock`), since
roles belong to the whole cluster."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from dagster import Definitions
from psycopg import sql

from bankperf import database
from bankperf.settings import DbSettings, db_settings

RUN_KEY = "bankperf_run"  # what the controlling process tells its workers: the run's token
SHARED_PREFIX = "bankperf_test_shared"  # databases made for every worker of a run: <prefix>_<token>_...
_RUN_TOKEN = pytest.StashKey[str]()
_DBT_FOLDERS = pytest.StashKey[list]()
_HAD_WORKERS = pytest.StashKey[bool]()


def _worker(config: pytest.Config) -> str | None:
    """The xdist worker's id (``gw0``, ``gw1`` ...); None in a run without workers, or in the controller."""
    workerinput = getattr(config, "workerinput", None)
    return workerinput["workerid"] if workerinput is not None else None


def _controls_workers(config: pytest.Config) -> bool:
    """Whether this process is the controller of a parallel run (it runs no test itself)."""
    return (getattr(config, "workerinput", None) is None and bool(getattr(config.option, "numprocesses", None))
            and getattr(config.option, "dist", "no") != "no")


def pytest_configure(config: pytest.Config) -> None:
    """The session's own dbt target and log folders (unless the environment names them), so parallel
    workers never write each other's parse, manifest or build folders, nor the working copy's target/.
    (Not in the controller of a parallel run: its workers would inherit them.)"""
    workerinput = getattr(config, "workerinput", None)
    config.stash[_RUN_TOKEN] = workerinput.get(RUN_KEY) if workerinput is not None else uuid.uuid4().hex[:10]
    folders: list[str] = []
    config.stash[_DBT_FOLDERS] = folders
    if _controls_workers(config):
        return
    for variable in ("DBT_TARGET_PATH", "DBT_LOG_PATH"):
        if not os.environ.get(variable):
            folder = tempfile.mkdtemp(prefix=f"bankperf_{variable.lower()}_{_worker(config) or 'main'}_")
            os.environ[variable] = folder
            folders.append(folder)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """(xdist, in the controller) Give a worker the run's token: the shared databases' names carry it."""
    node.workerinput[RUN_KEY] = node.config.stash[_RUN_TOKEN]
    node.config.stash[_HAD_WORKERS] = True


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In the controller of a parallel run, once every worker is done: drop the databases made for them all."""
    config = session.config
    if _worker(config) is not None or not config.stash.get(_HAD_WORKERS, False):
        return
    server = db_settings()
    pattern = f"{SHARED_PREFIX}_{config.stash[_RUN_TOKEN]}_%"
    try:
        with psycopg.connect(_admin(server).url, autocommit=True) as conn:
            names = [name for (name,) in conn.execute("select datname from pg_database where datname like %s",
                                                      (pattern,))]
        for name in names:
            drop_database(server, name)
    except psycopg.OperationalError as exc:
        warnings.warn(f"the run's shared test databases ({pattern}) could not be dropped: {exc}", stacklevel=1)


# The modules a parallel run hands out first, the longest first (as `--durations` measured them: each
# runs one or more real nights or builds a hand-built bank's history), so that no worker is left with a
# long module at the end while the other has nothing to do; the modules not named follow in their usual
# order. (The portal's module builds the session's warehouse: test_documentation, cheap once it exists,
# then only copies it.) Needs xdist's --no-loadscope-reorder, which make test passes: without it xdist
# orders the modules by their number of tests.
LONGEST_FIRST = ("test_publication.py", "test_orchestration.py", "test_dbt_core.py", "test_data_exceptions.py",
                 "test_ownership.py", "test_portal.py", "test_profit.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In a parallel worker: the modules of LONGEST_FIRST first (each module's tests keep their order)."""
    if _worker(config) is None:
        return
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def pytest_unconfigure(config: pytest.Config) -> None:
    for folder in config.stash.get(_DBT_FOLDERS, []):
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (made if missing) while the block runs: one process at a time."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def server() -> DbSettings:
    """The server the tests run on; starts the project's own cluster when none is configured (one process
    at a time: parallel workers, or another session, would otherwise start it or set it up together)."""
    with _file_lock(Path(tempfile.gettempdir()) / "bankperf_tests_db_start.lock"):
        database.start()
    return db_settings()


def _admin(server: DbSettings, database: str = "postgres") -> DbSettings:
    return DbSettings(server.host, server.port, server.user, server.password, database, True)


def clone_database(server: DbSettings, source: str, name: str) -> str:
    """``CREATE DATABASE name TEMPLATE source`` (a file copy: every schema, table, row, grant and owner of
    ``source``), then what a copy does not take: the database's own ACL and settings. Returns its URL.
    Connections to ``source`` are ended first (the server refuses to copy a database in use)."""
    from bankperf.access import setup

    with psycopg.connect(_admin(server).url, autocommit=True) as conn:
        conn.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s "
                     "and pid <> pg_backend_pid()", (source,))
        conn.execute(sql.SQL("create database {} template {}").format(sql.Identifier(name), sql.Identifier(source)))
        conn.execute(sql.SQL("alter database {} set synchronous_commit = off").format(sql.Identifier(name)))
    with psycopg.connect(_admin(server, name).url, autocommit=True) as conn:
        for statement in setup.database_statements(conn):
            conn.execute(statement)
    return _admin(server, name).url


def drop_database(server: DbSettings, name: str) -> None:
    with psycopg.connect(_admin(server).url, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


@contextmanager
def use_database(url: str) -> Iterator[str]:
    """Make ``url`` the project's database (``BANKPERF_DB_URL``) inside the block, as it was after."""
    previous = os.environ.get("BANKPERF_DB_URL")
    os.environ["BANKPERF_DB_URL"] = url
    try:
        yield url
    finally:
        if previous is None:
            os.environ.pop("BANKPERF_DB_URL", None)
        else:
            os.environ["BANKPERF_DB_URL"] = previous


@pytest.fixture(scope="session")
def template_db(server: DbSettings) -> Iterator[str]:
    """The name of an empty database set up once per session (``database.ensure_schemas``: schemas,
    raw, audit and control tables, roles, grants, owners); every test database is a copy of it."""
    name = f"bankperf_test_template_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin(server).url, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        database.ensure_schemas(_admin(server, name).url)
        yield name
    finally:
        drop_database(server, name)


@contextmanager
def _new_database(server: DbSettings, prefix: str, source: str) -> Iterator[str]:
    """A copy of ``source`` made the project's database (BANKPERF_DB_URL), dropped after."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    url = clone_database(server, source, name)
    try:
        with use_database(url):
            yield url
    finally:
        drop_database(server, name)


@pytest.fixture(scope="module")
def fresh_db(server: DbSettings, template_db: str) -> Iterator[str]:
    """A new empty (set-up) database shared by the tests of one module."""
    with _new_database(server, "bankperf_test", template_db) as url:
        yield url


@pytest.fixture
def own_db(server: DbSettings, template_db: str) -> Iterator[str]:
    """A database of the test's own (a run over other dates must not meet another test's days)."""
    with _new_database(server, "bankperf_test_own", template_db) as url:
        yield url


IN_MEMORY = Path("/dev/shm")  # tmpfs on Linux: Dagster's SQLite commits there cost no disk sync


def _scratch_folder(fallback: pytest.TempPathFactory | Path, prefix: str) -> tuple[Path, bool]:
    """A folder for a private Dagster home: in memory where the machine allows it (then True), else a new
    temporary folder (of ``fallback``: the session's temporary folders, or a folder to make it in)."""
    if IN_MEMORY.is_dir() and os.access(IN_MEMORY, os.W_OK):
        return Path(tempfile.mkdtemp(prefix=prefix, dir=IN_MEMORY)), True
    if isinstance(fallback, Path):
        return Path(tempfile.mkdtemp(prefix=prefix, dir=fallback)), False
    return fallback.mktemp(prefix), False


def _build_warehouse(server: DbSettings, template_db: str, folder: Path, name: str) -> dict:
    """The bank of tests/warehouse.py, its files in ``folder``, run through the nightly job into a new
    database ``name`` (a copy of ``template_db``); dropped again if the job fails."""
    from orchestration.headless import run as nightly_run
    from tests import warehouse

    inbox = folder / "warehouse_inbox"
    home = folder / "warehouse_home"
    inbox.mkdir()
    home.mkdir()
    renamed = warehouse.write_bank(inbox)
    url = clone_database(server, template_db, name)
    dagster_folder, in_memory = _scratch_folder(folder, "bankperf_dagster_warehouse_")
    saved = dict(os.environ)
    try:
        os.environ.update(BANKPERF_DB_URL=url, BANKPERF_HOME=str(home), DAGSTER_HOME=str(dagster_folder))
        os.environ.pop("BANKPERF_DAGSTER_STORAGE", None)
        status = nightly_run(inbox, warehouse.BUILT[0], warehouse.BUILT[-1])
        if status != 0:
            drop_database(server, name)
        assert status == 0, f"the session's warehouse did not build (bankperf run exit {status})"
    finally:
        os.environ.clear()
        os.environ.update(saved)
        if in_memory:
            shutil.rmtree(dagster_folder, ignore_errors=True)
    return {"name": name, "inbox": inbox, "home": home, "renamed": renamed}


@pytest.fixture(scope="session")
def built_warehouse(
    request: pytest.FixtureRequest, server: DbSettings, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict]:
    """The bank of tests/warehouse.py run through the real nightly job once, kept as a template database.

    Modules use ``warehouse_db`` (a copy), never this database itself. Keys: ``name`` (the template
    database), ``inbox`` (its delivered files, all three days), ``home`` (BANKPERF_HOME of the run:
    recon reports, Data Docs), ``days``/``built`` (the delivered and the built dates), ``renamed``
    (the customers with formula-like names).

    In a parallel run the first worker that needs it builds it (holding a lock in the run's temporary
    folder, which every worker shares) and writes down where it is; the others wait on the lock and take
    that one. Its database is then the controller's to drop (``pytest_sessionfinish``), after the last
    worker is done with it."""
    from tests import warehouse

    constants = {"days": warehouse.DAYS, "built": warehouse.BUILT}
    if _worker(request.config) is None:
        folder = tmp_path_factory.mktemp("warehouse")
        built = _build_warehouse(server, template_db, folder, f"bankperf_test_warehouse_{uuid.uuid4().hex[:10]}")
        try:
            yield {**built, **constants}
        finally:
            drop_database(server, built["name"])
        return
    shared = tmp_path_factory.getbasetemp().parent  # the run's folder: every worker's basetemp is in it
    record = shared / "bankperf_warehouse.json"
    with _file_lock(shared / "bankperf_warehouse.lock"):
        if record.exists():
            built = json.loads(record.read_text())
            built.update(inbox=Path(built["inbox"]), home=Path(built["home"]))
        else:  # (a fresh folder and name: a worker whose build failed leaves the next one to try again)
            token = f"{request.config.stash[_RUN_TOKEN]}_warehouse_{uuid.uuid4().hex[:6]}"
            folder = Path(tempfile.mkdtemp(prefix="warehouse_", dir=shared))
            built = _build_warehouse(server, template_db, folder, f"{SHARED_PREFIX}_{token}")
            record.write_text(json.dumps({**built, "inbox": str(built["inbox"]), "home": str(built["home"])}))
    yield {**built, **constants}


@pytest.fixture(scope="module")
def warehouse_db(server: DbSettings, built_warehouse: dict) -> Iterator[dict]:
    """A copy of the session's built warehouse for one module (see the module docstring): the keys of
    ``built_warehouse`` and ``url``, the copy's URL (also BANKPERF_DB_URL while the module runs)."""
    with _new_database(server, "bankperf_test_wh", built_warehouse["name"]) as url:
        yield {**built_warehouse, "url": url}


@pytest.fixture(scope="module")
def dbt_parse_vars() -> dict[str, str] | None:
    """The dbt vars the module's ``dagster_home`` parses the project with (none by default).

    dbt re-parses the whole project when a command's vars or connection differ from the last
    parse's; a module whose builds all run one window in one database overrides this fixture
    with that window (requesting that database first), so those builds reuse the parse."""
    return None


@pytest.fixture(scope="module")
def dagster_home(tmp_path_factory: pytest.TempPathFactory, dbt_parse_vars: dict[str, str] | None) -> Iterator[Path]:
    """A private Dagster instance and a freshly parsed dbt project; the environment restored after."""
    from orchestration.instance import prepare_instance
    from orchestration.project import parse_manifest

    saved = dict(os.environ)
    folder, in_memory = _scratch_folder(tmp_path_factory, "bankperf_dagster_home_")
    os.environ["DAGSTER_HOME"] = str(folder)
    os.environ.pop("BANKPERF_DAGSTER_STORAGE", None)
    try:
        home = prepare_instance()
        parse_manifest(dbt_parse_vars)
        yield home
    finally:
        os.environ.clear()
        os.environ.update(saved)
        if in_memory:
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def defs(dagster_home: Path) -> Definitions:
    """The code location's definitions, loaded after the dbt project was parsed for this module."""
    from orchestration.definitions import defs as definitions

    return definitions
