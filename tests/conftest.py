"""Shared fixtures: the real PostgreSQL (the project's own cluster, or BANKPERF_DB_URL) and a
fresh, empty database per test module so tests never see each other's data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from bankperf import database
from bankperf.settings import DbSettings, db_settings


@pytest.fixture(scope="session")
def server() -> DbSettings:
    """The server the tests run on; starts the project's own cluster when none is configured."""
    database.start()
    return db_settings()


@pytest.fixture(scope="module")
def fresh_db(server: DbSettings) -> Iterator[str]:
    """A new empty database on the server, made the project's database for the module's tests."""
    name = f"bankperf_test_{uuid.uuid4().hex[:10]}"
    admin = DbSettings(server.host, server.port, server.user, server.password, "postgres", True)
    with psycopg.connect(admin.url, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    target = DbSettings(server.host, server.port, server.user, server.password, name, True)
    previous = os.environ.get("BANKPERF_DB_URL")
    os.environ["BANKPERF_DB_URL"] = target.url
    try:
        database.ensure_schemas()
        yield target.url
    finally:
        if previous is None:
            os.environ.pop("BANKPERF_DB_URL", None)
        else:
            os.environ["BANKPERF_DB_URL"] = previous
        with psycopg.connect(admin.url, autocommit=True) as conn:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
