"""Demo users: one login of every user role on a built bank, for ``make demo`` and the portal's tests.

``create_demo_users(conn, out_path)`` (conn: an open psycopg connection of a role that may create
roles, or ``None`` for the configured database) creates or refreshes ``demo_office``,
``demo_head_office``, ``demo_branch_head`` (the branch with the most institutions under it),
``demo_manager`` (the employee owning the most accounts on the last built date), ``demo_analyst``
and ``demo_auditor``, each with a new random password, and writes ``login<TAB>role<TAB>password``
lines to ``out_path`` (mode 600; ``var/demo_users.txt`` for ``make demo``, git-ignored). It returns
the :class:`DemoUser` list. Run it after the bank is built (it reads ``marts``).

Logins are server-wide roles: a login of that name made for another database of the same server
is taken over (and its password replaced). Tests pass their own ``prefix`` (e.g. ``t14ab12_demo_``)
so they never reset the demo's passwords, and drop the roles afterwards.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bankperf import settings
from bankperf.access import users
from bankperf.access.permissions import USER_ROLES


@dataclass(frozen=True)
class DemoUser:
    login: str
    role: str
    password: str
    emp_id: str | None = None
    org_id: str | None = None


def _demo_subjects(conn: psycopg.Connection) -> tuple[str, str]:
    """(the busiest real manager, the branch with the most institutions under it) of the built bank."""
    manager = conn.execute(
        """
        select owners.emp_id
        from marts.fct_account_owner_daily as owners
        where owners.biz_date = (select max(biz_date) from marts.fct_account_owner_daily)
            and owners.emp_id not like 'V%%' and owners.share > 0
        group by owners.emp_id
        order by count(*) desc, owners.emp_id
        limit 1
        """
    ).fetchone()
    branch = conn.execute(
        """
        select institution.org_id
        from marts.dim_institution as institution
        inner join marts.bridge_institution_ancestor as tree
            on tree.ancestor_org_id = institution.org_id and tree.valid_to is null
        where institution.is_current and institution.org_type = 'BR'
        group by institution.org_id
        order by count(*) desc, institution.org_id
        limit 1
        """
    ).fetchone()
    if manager is None or branch is None:
        raise users.UserError("demo users need a built bank (an owned account and a branch): run the nightly job first")
    return manager[0], branch[0]


def create_demo_users(conn: psycopg.Connection | None, out_path: Path, prefix: str = "demo_") -> list[DemoUser]:
    if conn is None:
        with psycopg.connect(settings.db_settings().url) as own:
            return create_demo_users(own, out_path, prefix)
    emp_id, org_id = _demo_subjects(conn)
    created = []
    for role in USER_ROLES:
        login = f"{prefix}{role}"
        user = users.User(
            login=login,
            user_role=role,
            emp_id=emp_id if role == "manager" else None,
            org_id=org_id if role == "branch_head" else None,
            display_name=f"Demo {role.replace('_', ' ')}",
        )
        password = secrets.token_urlsafe(12)
        users.save(conn, user, password, by="demo")
        created.append(DemoUser(login, role, password, user.emp_id, user.org_id))
    users.write_secret_file(Path(out_path), "".join(f"{u.login}\t{u.role}\t{u.password}\n" for u in created))
    return created


def login_help(created: list[DemoUser], out_path: Path) -> str:
    """What ``make demo`` prints: the logins, where their passwords are, how to connect."""
    db = settings.db_settings()
    lines = [f"Demo users (passwords in {out_path}, mode 600):"]
    for user in created:
        scope = f" emp {user.emp_id}" if user.emp_id else f" org {user.org_id}" if user.org_id else ""
        lines.append(f"  {user.login:<18} {user.role}{scope}")
    lines.append(
        f"Connect with psql (or any BI tool: host {db.host}, port {db.port}, database {db.database}, "
        "schema published):"
    )
    lines.append(
        f"  PGPASSWORD=$(awk '$1==\"demo_manager\"{{print $3}}' {out_path}) "
        f"psql -h {db.host} -p {db.port} -U demo_manager -d {db.database} "
        "-c 'select * from published.my_identity'"
    )
    return "\n".join(lines)
