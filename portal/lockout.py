"""Lockout after repeated wrong passwords, shared by every worker process on the machine.

Attempts are kept in a small SQLite file (``var/portal/logins.sqlite``): the portal's service
role has no privileges of its own in the warehouse, and a per-process counter would let each
worker of a multi-worker deployment count separately. Every attempt (login, client address,
time, success) is kept, so the office can see who tried what.
"""

from __future__ import annotations

import sqlite3
import time

from portal import config


def _connect() -> sqlite3.Connection:
    conn = sqlite3.connect(config.state_dir() / "logins.sqlite", timeout=10)
    conn.execute(
        "create table if not exists attempts (login text not null, address text, at real not null, ok integer not null)"
    )
    conn.execute("create index if not exists attempts_login_at on attempts (login, at)")
    return conn


def locked_until(login: str) -> float | None:
    """When the login may try again (epoch seconds), or None when it is not locked."""
    window = config.lockout_minutes() * 60
    with _connect() as conn:
        rows = conn.execute(
            "select at, ok from attempts where login = ? and at > ? order by at desc", (login, time.time() - window)
        ).fetchall()
    failures = []
    for at, ok in rows:  # failures since the last success inside the window
        if ok:
            break
        failures.append(at)
    if len(failures) >= config.lockout_failures():
        return failures[0] + window
    return None


def record(login: str, address: str | None, ok: bool) -> None:
    with _connect() as conn:
        conn.execute("insert into attempts values (?, ?, ?, ?)", (login, address, time.time(), int(ok)))
