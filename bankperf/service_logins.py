"""Service logins and setup DDL: the nightly job's logins (:data:`bankperf.settings.SERVICES`) never
create schemas or the fixed tables; ``bankperf db start``/``grant`` do, as the configured login
(:func:`bankperf.database.ensure_schemas`). A module of its own so that the modules defining those
tables can ask it without importing :mod:`bankperf.database` (which imports them)."""

from __future__ import annotations

import psycopg

from bankperf import settings


class NotSetUp(RuntimeError):
    """The database lacks what ``bankperf db start``/``grant`` create; the message says so."""


def is_service_login(conn: psycopg.Connection) -> bool:
    """Whether the connection is one of the nightly job's service logins (which never run setup DDL)."""
    return conn.execute("select current_user").fetchone()[0] in settings.SERVICES.values()


def set_up_for_service(conn: psycopg.Connection, relations: list[str] | tuple[str, ...]) -> bool:
    """True when ``conn`` is a service login and ``relations`` exist: the caller skips its setup DDL.

    A service login may not create schemas nor alter what the owner owns; a relation missing for it
    means the database was not set up: :class:`NotSetUp` says to run ``bankperf db grant``.
    False for any other login, which then runs the (idempotent) DDL itself."""
    if not is_service_login(conn):
        return False
    missing = [name for name in relations
               if conn.execute("select to_regclass(%s)", (name,)).fetchone()[0] is None]
    if missing:
        raise NotSetUp(
            f"{', '.join(missing)} missing in database {conn.info.dbname}: set it up first with "
            "`bankperf db start` (the project's cluster) or `bankperf db grant` (a configured database)."
        )
    return True
