"""User logins: ``bankperf users add|import|list|disable|password``.

A user is a PostgreSQL LOGIN role (scram-sha-256) that is a member of exactly one user role and has
one row in ``control.app_user`` saying who it is: a manager's ``emp_id``, a branch head's ``org_id``
(the root of the subtree it sees). Passwords are never echoed, logged or stored: the command reads
them from a prompt or stdin and sends the server only the SCRAM verifier (computed by libpq here).
Every login is granted to ``bankperf_portal`` so the portal can ``SET ROLE`` to it; ``disable``
revokes that, sets NOLOGIN, ends the login's open sessions and marks the row inactive (history kept).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from bankperf.access import setup
from bankperf.access.permissions import USER_ROLES
from bankperf.manage import files, store
from bankperf.manage.catalog import Field, Kind
from bankperf.manage.validate import ValidationError, validate

LOGIN_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
RESERVED = {*USER_ROLES, *setup.SERVICE_ROLES, setup.PORTAL_ROLE, "postgres", "public", "bankperf"}

USERS_KIND = Kind(
    name="users",
    table="app_user",
    description="User logins: login, user_role, emp_id (managers), org_id (branch heads), display_name.",
    set_columns=("login",),
    fields=(
        Field("login", "text", required=True),
        Field("user_role", "text", required=True, values=USER_ROLES),
        Field("emp_id", "text"),
        Field("org_id", "text"),
        Field("display_name", "text"),
    ),
    rules=(),
)


class UserError(ValueError):
    """A user command that cannot be done, with the reason."""


@dataclass(frozen=True)
class User:
    login: str
    user_role: str
    emp_id: str | None = None
    org_id: str | None = None
    display_name: str | None = None


def problems(
    user: User, employees: set[str] | None, institutions: set[str] | None, check_role: bool = True
) -> list[str]:
    """What is wrong with a user definition (empty: nothing)."""
    found = []
    if not LOGIN_PATTERN.match(user.login) or user.login in RESERVED or user.login.startswith("pg_"):
        found.append(
            f"login {user.login!r}: lowercase letters, digits and _, starting with a letter, 2-63 characters, "
            "and not a reserved role name"
        )
    if check_role and user.user_role not in USER_ROLES:
        found.append(f"role {user.user_role!r} is not one of {', '.join(USER_ROLES)}")
    if user.user_role == "manager" and not user.emp_id:
        found.append("a manager needs the employee id (--emp)")
    if user.user_role == "branch_head" and not user.org_id:
        found.append("a branch head needs the institution (--org) whose subtree it sees")
    if user.emp_id and employees is not None and user.emp_id not in employees:
        found.append(f"employee {user.emp_id!r} is not in the EMP feed")
    if user.org_id and institutions is not None and user.org_id not in institutions:
        found.append(f"institution {user.org_id!r} is not in the ORG feed")
    return found


def _known(conn: psycopg.Connection) -> tuple[set[str] | None, set[str] | None]:
    return store.known_employees(conn), store.known_institutions(conn)


def _app_user(conn: psycopg.Connection, login: str) -> tuple | None:
    return conn.execute("select user_role, active from control.app_user where login = %s", (login,)).fetchone()


def _user_groups(conn: psycopg.Connection, login: str) -> list[str]:
    """The user roles a server role is a member of."""
    return [name for (name,) in conn.execute(
        "select groups.rolname from pg_auth_members as members "
        "inner join pg_roles as groups on groups.oid = members.roleid "
        "inner join pg_roles as logins on logins.oid = members.member "
        "where logins.rolname = %s and groups.rolname = any(%s)", (login, list(USER_ROLES)))]


def _save(conn: psycopg.Connection, user: User, by: str, password: str | None) -> str:
    """Create or update one login (inside the caller's transaction); returns what was done."""
    login = sql.Identifier(user.login)
    existing = _app_user(conn, user.login)
    role_there = conn.execute("select 1 from pg_roles where rolname = %s", (user.login,)).fetchone()
    groups = _user_groups(conn, user.login)
    if existing is None and role_there and not groups:
        raise UserError(f"{user.login}: a database role of that name exists and is not a bankperf user")
    if existing is None:
        if role_there:  # a login of another bankperf database on this server (roles are server-wide)
            for group in groups:
                conn.execute(sql.SQL("revoke {} from {}").format(sql.Identifier(group), login))
            conn.execute(sql.SQL("alter role {} login").format(login))
            conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(user.user_role), login))
        else:
            conn.execute(sql.SQL("create role {} login in role {}").format(login, sql.Identifier(user.user_role)))
        conn.execute(
            "insert into control.app_user (login, user_role, emp_id, org_id, display_name, created_by) "
            "values (%s, %s, %s, %s, %s, %s)",
            (user.login, user.user_role, user.emp_id, user.org_id, user.display_name, by),
        )
        done = "created"
    else:
        old_role = existing[0]
        if old_role != user.user_role:
            conn.execute(sql.SQL("revoke {} from {}").format(sql.Identifier(old_role), login))
            conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(user.user_role), login))
        conn.execute(sql.SQL("alter role {} login").format(login))
        conn.execute(
            "update control.app_user set user_role = %s, emp_id = %s, org_id = %s, display_name = %s, active = true, "
            "updated_at = clock_timestamp() where login = %s",
            (user.user_role, user.emp_id, user.org_id, user.display_name, user.login),
        )
        done = "updated"
    conn.execute(sql.SQL("grant {} to {}").format(login, sql.Identifier(setup.PORTAL_ROLE)))
    setup.audit_login(conn, user.login)
    if password:
        setup.set_password(conn, user.login, password)
    return done


def add(conn: psycopg.Connection, user: User, password: str | None, by: str) -> str:
    """``users add``: a new login (refused when it exists: use ``password`` or ``import`` to change one)."""
    setup.ensure(conn)
    errors = problems(user, *_known(conn))
    if password is not None and len(password) < 8:
        errors.append("a password needs at least 8 characters")
    if errors:
        raise UserError(f"{user.login}: " + "; ".join(errors))
    if _app_user(conn, user.login) is not None:
        raise UserError(
            f"{user.login} exists already: `bankperf users password {user.login}` sets its password, "
            "`bankperf users import` changes its role or scope or enables it again"
        )
    with conn.transaction():
        _save(conn, user, by, password)
    return f"created {user.login} ({user.user_role})" + ("" if password else "; no password yet: it cannot log in")


def save(conn: psycopg.Connection, user: User, password: str | None, by: str) -> str:
    """Create the login, or update it (role, employee, institution, name; re-enabled) when it exists."""
    setup.ensure(conn)
    errors = problems(user, *_known(conn))
    if password is not None and len(password) < 8:
        errors.append("a password needs at least 8 characters")
    if errors:
        raise UserError(f"{user.login}: " + "; ".join(errors))
    with conn.transaction():
        return _save(conn, user, by, password)


def import_file(conn: psycopg.Connection, path: Path, by: str, passwords_out: Path | None = None) -> str:
    """``users import``: every row valid or nothing done; new logins get generated passwords when asked."""
    setup.ensure(conn)
    employees, institutions = _known(conn)
    raw_rows = files.read_rows(Path(path), USERS_KIND)
    errors: list[str] = []
    seen: dict[str, int] = {}
    for row_no, raw in enumerate(raw_rows, start=2):  # what the columns' types cannot say
        user = User(raw.get("login", ""), raw.get("user_role", ""), raw.get("emp_id") or None,
                    raw.get("org_id") or None)
        errors += [f"row {row_no}: {message}" for message in problems(user, None, institutions, check_role=False)]
        if user.login in seen:
            errors.append(f"row {row_no}: login {user.login} is also on row {seen[user.login]}")
        seen.setdefault(user.login, row_no)
    try:
        rows = validate(USERS_KIND, raw_rows, str(path), employees, institutions)
    except ValidationError as exc:
        raise ValidationError(USERS_KIND, str(path), exc.errors + errors) from None
    if errors:
        raise ValidationError(USERS_KIND, str(path), errors)
    users = [User(**{name: row.values[name] for name in USERS_KIND.column_names}) for row in rows]
    generated: dict[str, str] = {}
    counts = {"created": 0, "updated": 0}
    with conn.transaction():
        for user in users:
            is_new = _app_user(conn, user.login) is None
            password = secrets.token_urlsafe(12) if is_new and passwords_out else None
            counts[_save(conn, user, by, password)] += 1
            if password:
                generated[user.login] = password
    note = ""
    if passwords_out and generated:
        write_secret_file(Path(passwords_out), "".join(f"{login}\t{pw}\n" for login, pw in generated.items()))
        note = f"; passwords of the new logins in {passwords_out} (mode 600)"
    elif counts["created"]:
        note = "; new logins have no password yet (bankperf users password LOGIN)"
    return f"{counts['created']} created, {counts['updated']} updated from {path}{note}"


def write_secret_file(path: Path, text: str) -> None:
    """Write a file only its owner can read (created 600 before anything is written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(text)


def list_users(conn: psycopg.Connection) -> list[tuple]:
    setup.ensure(conn)
    return conn.execute(
        "select login, user_role, emp_id, org_id, display_name, active, created_at, created_by, updated_at "
        "from control.app_user order by login"
    ).fetchall()


def disable(conn: psycopg.Connection, login: str) -> str:
    """NOLOGIN, no longer reachable by the portal, open sessions ended; the row stays (inactive)."""
    if _app_user(conn, login) is None:
        raise UserError(f"{login} is not a bankperf user")
    with conn.transaction():
        conn.execute(sql.SQL("alter role {} nologin").format(sql.Identifier(login)))
        conn.execute(sql.SQL("revoke {} from {}").format(sql.Identifier(login), sql.Identifier(setup.PORTAL_ROLE)))
        conn.execute(
            "update control.app_user set active = false, updated_at = clock_timestamp() where login = %s", (login,)
        )
    conn.execute(
        "select pg_terminate_backend(pid) from pg_stat_activity where usename = %s and pid <> pg_backend_pid()",
        (login,),
    )
    return f"disabled {login}"


def set_user_password(conn: psycopg.Connection, login: str, password: str) -> str:
    if _app_user(conn, login) is None:
        raise UserError(f"{login} is not a bankperf user")
    if len(password) < 8:
        raise UserError("a password needs at least 8 characters")
    with conn.transaction():
        setup.set_password(conn, login, password)
        conn.execute("update control.app_user set updated_at = clock_timestamp() where login = %s", (login,))
    return f"password of {login} set"
