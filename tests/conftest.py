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
its builds reuse the parse instead of re-parsing the whole project."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from dagster import Definitions
from psycopg import sql

from bankperf import database
from bankperf.settings import DbSettings, db_settings


@pytest.fixture(scope="session")
def server() -> DbSettings:
    """The server the tests run on; starts the project's own cluster when none is configured."""
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


def _scratch_folder(tmp_path_factory: pytest.TempPathFactory, prefix: str) -> tuple[Path, bool]:
    """A folder for a private Dagster home: in memory where the machine allows it (then True)."""
    if IN_MEMORY.is_dir() and os.access(IN_MEMORY, os.W_OK):
        return Path(tempfile.mkdtemp(prefix=prefix, dir=IN_MEMORY)), True
    return tmp_path_factory.mktemp(prefix), False


@pytest.fixture(scope="session")
def built_warehouse(server: DbSettings, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The bank of tests/warehouse.py run through the real nightly job once, kept as a template database.

    Modules use ``warehouse_db`` (a copy), never this database itself. Keys: ``name`` (the template
    database), ``inbox`` (its delivered files, all three days), ``home`` (BANKPERF_HOME of the run:
    recon reports, Data Docs), ``days``/``built`` (the delivered and the built dates), ``renamed``
    (the customers with formula-like names)."""
    from orchestration.headless import run as nightly_run
    from tests import warehouse

    inbox = tmp_path_factory.mktemp("warehouse_inbox")
    renamed = warehouse.write_bank(inbox)
    home = tmp_path_factory.mktemp("warehouse_home")
    name = f"bankperf_test_warehouse_{uuid.uuid4().hex[:10]}"
    url = clone_database(server, template_db, name)
    folder, in_memory = _scratch_folder(tmp_path_factory, "bankperf_dagster_warehouse_")
    saved = dict(os.environ)
    try:
        os.environ.update(BANKPERF_DB_URL=url, BANKPERF_HOME=str(home), DAGSTER_HOME=str(folder))
        os.environ.pop("BANKPERF_DAGSTER_STORAGE", None)
        status = nightly_run(inbox, warehouse.BUILT[0], warehouse.BUILT[-1])
        assert status == 0, f"the session's warehouse did not build (bankperf run exit {status})"
    finally:
        os.environ.clear()
        os.environ.update(saved)
        if in_memory:
            shutil.rmtree(folder, ignore_errors=True)
    try:
        yield {"name": name, "inbox": inbox, "home": home, "days": warehouse.DAYS, "built": warehouse.BUILT,
               "renamed": renamed}
    finally:
        drop_database(server, name)


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
