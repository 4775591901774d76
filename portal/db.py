"""Every query of a user runs with that user's database identity.

Login: :func:`authenticate` opens one connection with the user's own PostgreSQL login and
password (the server checks the password; a wrong one is refused) and reads the user's row of
``published.my_identity``. Afterwards the user's requests are served from a pool of connections
of the service role ``bankperf_portal`` (NOINHERIT: it has no privileges of its own), each used
as ``SET ROLE <login>`` … ``RESET ROLE`` (:func:`as_user`), so row-level security and grants
decide what the user sees and may change: the portal never filters for security itself.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from portal import config

LOGIN_PATTERN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_pool: ConnectionPool | None = None
_pool_lock = threading.Lock()


class AccessRevoked(RuntimeError):
    """The service role may no longer act as this login (disabled, or its grant revoked)."""


def portal_settings():
    from bankperf.access import portal_settings as settings_of_portal

    return settings_of_portal()


def _reset(conn: psycopg.Connection) -> None:
    conn.execute("reset role")


def pool() -> ConnectionPool:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ConnectionPool(
                portal_settings().url, min_size=1, max_size=config.pool_size(), open=True,
                kwargs={"autocommit": True, "application_name": "bankperf portal"}, reset=_reset,
            )
    return _pool


def close_pool() -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.close()
            _pool = None


def authenticate(login: str, password: str) -> dict | None:
    """The user's identity row when PostgreSQL accepts login and password, else None."""
    if not LOGIN_PATTERN.match(login) or not password:
        return None
    service = portal_settings()
    try:
        with psycopg.connect(
            host=service.host, port=service.port, dbname=service.database, user=login, password=password,
            connect_timeout=10, application_name="bankperf portal login",
        ) as conn:
            row = conn.execute(
                "select login, user_role, emp_id, org_id, display_name from published.my_identity"
            ).fetchone()
    except psycopg.OperationalError:
        return None
    if row is None:
        return None
    return dict(zip(("login", "user_role", "emp_id", "org_id", "display_name"), row, strict=True))


@contextmanager
def as_user(login: str) -> Iterator[psycopg.Connection]:
    """A pooled service-role connection acting as ``login`` for the duration of the block."""
    with pool().connection() as conn:
        try:
            conn.execute(sql.SQL("set role {}").format(sql.Identifier(login)))
        except psycopg.errors.InsufficientPrivilege as exc:
            raise AccessRevoked(login) from exc
        try:
            yield conn
        finally:
            if not conn.closed:
                if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    conn.rollback()
                conn.execute("reset role")
