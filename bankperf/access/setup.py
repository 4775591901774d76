"""The database side of access: roles, the identity table, the scope functions and the grants.

Cluster-wide (roles):
- the six user roles (NOLOGIN groups, :data:`~bankperf.access.permissions.USER_ROLES`); a user is a
  LOGIN role in exactly one of them (:mod:`bankperf.access.users`);
- the service roles, least privilege: ``bankperf_owner`` (NOLOGIN: owns the schemas and the fixed
  tables of ``audit``, ``control``, ``access`` and ``workflow``), and the logins the nightly job
  connects as (LOGIN once given a password: :func:`set_service_passwords`):
  ``bankperf_loader`` (creates and owns ``raw``'s tables, writes the load audit),
  ``bankperf_transform`` (dbt: reads ``raw``/``control``, creates and owns what it builds in
  ``staging``/``intermediate``/``marts`` and the mart views of ``published``) and
  ``bankperf_orchestrator`` (reads every layer, writes the publication log and the restatement
  log: the run's control state). None is a member of another; :func:`ownership_statements` hands
  every existing object to its role, so a warehouse built by the bootstrap login is taken over by
  ``bankperf db grant``;
- ``bankperf_portal``: LOGIN NOINHERIT, nothing of its own but CONNECT and the right to
  ``SET ROLE`` to each user login (granted by ``bankperf users add``).

Per database (everything idempotent: run by ``bankperf db start``, ``bankperf db grant`` and the
first connection of every test database):
- ``control.app_user``: who each login is (role, employee, institution);
- schema ``access``: ``user_role/user_emp/user_org(login)`` (the login's identity, only to itself or
  to a session that may act as it) and ``org_in_subtree/employee_in_subtree(root, x, date)`` (the
  attribution tree as it stood that day), SECURITY DEFINER so user roles need no access to
  ``control`` or ``marts``; they bind the marts by name when called, so dbt may rebuild the
  marts without dropping the published views that use them;
- ``published.my_identity``; USAGE on ``published`` and ``access`` for the user roles, and nothing
  else: no ``raw``, ``staging``, ``intermediate``, ``marts``, ``control`` or ``audit``, no CREATE
  or TEMP in the database (so no view or function can be made to read around a policy).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import psycopg
from psycopg import conninfo, sql

from bankperf import settings
from bankperf.access.permissions import USER_ROLES, permission_table

PORTAL_ROLE = "bankperf_portal"
OWNER_ROLE = "bankperf_owner"
LOADER_ROLE = "bankperf_loader"
TRANSFORM_ROLE = "bankperf_transform"
ORCHESTRATOR_ROLE = "bankperf_orchestrator"
SERVICE_ROLES = (OWNER_ROLE, LOADER_ROLE, TRANSFORM_ROLE, ORCHESTRATOR_ROLE)
SERVICE_LOGINS = {"loader": LOADER_ROLE, "transform": TRANSFORM_ROLE, "orchestrator": ORCHESTRATOR_ROLE}
assert SERVICE_LOGINS == settings.SERVICES  # one list of the job's logins (settings reads it without this module)
LOCK_KEY = 7_405_890_131  # pg_advisory_xact_lock key: "bankperf access" in one database
SERVER_LOCK_KEY = 7_405_890_132  # pg_advisory_lock key, in the maintenance database: "bankperf roles"
MAINTENANCE_DATABASE = "postgres"

APP_USER_DDL = [
    "create schema if not exists control",
    """
    create table if not exists control.app_user (
        login name primary key,
        user_role text not null check (user_role in ('office', 'head_office', 'branch_head', 'manager',
            'analyst', 'auditor')),
        emp_id text,
        org_id text,
        display_name text,
        active boolean not null default true,
        created_at timestamptz not null default clock_timestamp(),
        created_by text not null default current_user,
        updated_at timestamptz not null default clock_timestamp(),
        check (user_role <> 'manager' or emp_id is not null),
        check (user_role <> 'branch_head' or org_id is not null)
    )
    """,
    """
    comment on table control.app_user is
    'One row per user login (a PostgreSQL LOGIN role in exactly one user role): its role, the employee a '
    'manager is, the institution whose subtree a branch head sees. Managed by bankperf users.'
    """,
]

FUNCTIONS = [
    "create schema if not exists access",
    "comment on schema access is 'Scope functions the published views call (bankperf.access); nothing to read.'",
    # identity: only a session that is the login, or may become it (the portal), learns it
    """
    create or replace function access.user_role(login name) returns text
    language sql stable security definer set search_path = pg_catalog, pg_temp as $$
        select app_user.user_role from control.app_user
        where app_user.login = $1 and app_user.active and pg_has_role(session_user, $1, 'MEMBER')
    $$
    """,
    """
    create or replace function access.user_emp(login name) returns text
    language sql stable security definer set search_path = pg_catalog, pg_temp as $$
        select app_user.emp_id from control.app_user
        where app_user.login = $1 and app_user.active and pg_has_role(session_user, $1, 'MEMBER')
    $$
    """,
    """
    create or replace function access.user_org(login name) returns text
    language sql stable security definer set search_path = pg_catalog, pg_temp as $$
        select app_user.org_id from control.app_user
        where app_user.login = $1 and app_user.active and pg_has_role(session_user, $1, 'MEMBER')
    $$
    """,
    # the attribution tree as it stood on a day (no day: as it stands now)
    """
    create or replace function access.org_in_subtree(root text, org text, on_date date) returns boolean
    language sql stable security definer set search_path = pg_catalog, pg_temp as $$
        select exists (
            select 1 from marts.bridge_institution_ancestor as tree
            where tree.ancestor_org_id = $1 and tree.org_id = $2
                and coalesce($3, current_date) between tree.valid_from and coalesce(tree.valid_to, 'infinity')
                and ($3 is not null or tree.valid_to is null)
        )
    $$
    """,
    """
    create or replace function access.employee_in_subtree(root text, emp text, on_date date) returns boolean
    language sql stable security definer set search_path = pg_catalog, pg_temp as $$
        select exists (
            select 1
            from marts.dim_employee as employee
            inner join marts.bridge_institution_ancestor as tree
                on tree.org_id = employee.org_id
                and coalesce($3, current_date) between tree.valid_from and coalesce(tree.valid_to, 'infinity')
                and ($3 is not null or tree.valid_to is null)
            where employee.emp_id = $2 and tree.ancestor_org_id = $1
                and ($3 is null and employee.valid_to is null
                    or $3 between employee.valid_from and coalesce(employee.valid_to, 'infinity'))
        )
    $$
    """,
    # every institution / employee that was ever in the login's subtree: a cheap first filter (one hash
    # per query) before the per-row check of the day
    """
    create or replace function access.subtree_orgs(login name) returns setof text
    language sql stable security definer set search_path = pg_catalog, pg_temp as $$
        select distinct tree.org_id from marts.bridge_institution_ancestor as tree
        where tree.ancestor_org_id = (
            select app_user.org_id from control.app_user
            where app_user.login = $1 and app_user.active and pg_has_role(session_user, $1, 'MEMBER')
        )
    $$
    """,
    """
    create or replace function access.subtree_employees(login name) returns setof text
    language sql stable security definer set search_path = pg_catalog, pg_temp as $$
        select distinct employee.emp_id from marts.dim_employee as employee
        where employee.org_id in (select access.subtree_orgs($1))
    $$
    """,
    # ... and what has been under it on every day it existed (no per-row check of the day needed)
    """
    create or replace function access.subtree_orgs_always(login name) returns setof text
    language sql stable security definer set search_path = pg_catalog, pg_temp as $$
        select tree.org_id from marts.bridge_institution_ancestor as tree
        where tree.ancestor_org_id = (
            select app_user.org_id from control.app_user
            where app_user.login = $1 and app_user.active and pg_has_role(session_user, $1, 'MEMBER')
        )
            and tree.valid_to is null
            and tree.valid_from = (
                select min(itself.valid_from) from marts.bridge_institution_ancestor as itself
                where itself.org_id = tree.org_id and itself.depth = 0
            )
    $$
    """,
    """
    create or replace function access.subtree_employees_always(login name) returns setof text
    language sql stable security definer set search_path = pg_catalog, pg_temp as $$
        select employee.emp_id from marts.dim_employee as employee
        group by employee.emp_id
        having bool_and(employee.org_id in (select access.subtree_orgs_always($1)))
    $$
    """,
    # the office imports management inputs without reading marts: the restatement check needs this
    """
    create or replace function access.latest_built_date() returns date
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp as $$
    begin
        if to_regclass('marts.fct_account_daily') is null then
            return null;
        end if;
        return (select max(biz_date) from marts.fct_account_daily);
    end $$
    """,
    "revoke all on all functions in schema access from public",
]

MY_IDENTITY = """
    create or replace view published.my_identity with (security_barrier) as
    select login, user_role, emp_id, org_id, display_name
    from control.app_user
    where login = current_user
"""

# What an auditor reads besides the marts: the load log, the rejected lines (their raw text may
# hold customers' personal data: masked like a personal-data column), the management-input
# batches, every version of every input and the restatements. Names -> (query, comment).
AUDIT_VIEWS = {
    "load_log": (
        "select load_id, feed, biz_date, file_name, encoding, ctl_row_count, ctl_md5, file_md5, rows_read, "
        "rows_loaded, rows_rejected, status, error, started_at, finished_at, loaded_by from audit.load_log",
        "Every load attempt of a feed-date (audit.load_log): file, MD5, rows read/loaded/rejected, status, error.",
    ),
    "rejected_rows": (
        "select load_id, feed, biz_date, line_no, case when {clear} then raw_line end as raw_line, reason "
        "from audit.rejected_rows",
        "Lines that broke the interface contract, with the reason (raw_line masked for analyst and auditor).",
    ),
    "import_batches": (
        "select batch_id, kind, file_name, file_md5, row_count, imported_by, reason, imported_at "
        "from control.import_batches",
        "Every management-input import: kind, file, MD5, rows, by whom (the login and the --by comment), why, when.",
    ),
    "management_input_history": (
        "(generated from the management-input kinds: see _history_query)",
        "Every version of every management input (one row per imported row, its values as JSON), with its batch.",
    ),
    "restatement_log": (
        "select restatement_id, batch_id, kind, set_key, from_date, reason, requested_by, requested_at, status, "
        "restated_from, restated_to, accounts_restated, restated_at from control.restatement_log",
        "Management inputs dated back before the built dates and the restatements the nightly run did for them.",
    ),
}
MANAGED_VIEWS = frozenset({"my_identity", "access_log", *AUDIT_VIEWS})  # published views made here, not from a mart


def _history_query() -> str:
    from bankperf.manage.catalog import kinds  # the inputs' tables are defined there

    union = " union all ".join(
        f"select '{kind.name}' as kind, versions.batch_id, versions.row_no, versions.set_key, "
        "to_jsonb(versions) - 'version_id' - 'batch_id' - 'row_no' - 'set_key' as input_values "
        f"from control.{kind.table} as versions"
        for kind in kinds().values()
    )
    return (
        "select history.kind, history.batch_id, history.row_no, history.set_key, history.input_values, "
        "batches.imported_by, batches.imported_at, batches.reason, batches.file_name "
        f"from ({union}) as history inner join control.import_batches as batches using (batch_id)"
    )


def audit_view_statements() -> list[sql.Composable]:
    from bankperf.access.permissions import personal_data_clear

    statements: list[sql.Composable] = []
    for name, (query, comment) in AUDIT_VIEWS.items():
        if name == "management_input_history":
            body: sql.Composable = sql.SQL(_history_query())
        else:
            body = sql.SQL(query).format(clear=personal_data_clear()) if "{clear}" in query else sql.SQL(query)
        view = sql.Identifier("published", name)
        statements.append(sql.SQL("create or replace view {} as {}").format(view, body))
        statements.append(sql.SQL("comment on view {} is {}").format(view, sql.Literal(comment)))
    return statements


def _role_exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("select 1 from pg_roles where rolname = %s", (name,)).fetchone() is not None


def _can_manage_roles(conn: psycopg.Connection) -> bool:
    query = "select rolsuper or rolcreaterole from pg_roles where rolname = current_user"
    return bool(conn.execute(query).fetchone()[0])


def role_statements(conn: psycopg.Connection) -> list[sql.Composable]:
    """CREATE ROLE for the user, service and portal roles missing on the server."""
    wanted = [(name, "nologin") for name in (*USER_ROLES, *SERVICE_ROLES)] + [(PORTAL_ROLE, "login noinherit")]
    return [
        sql.SQL("create role {} {}").format(sql.Identifier(name), sql.SQL(options))
        for name, options in wanted
        if not _role_exists(conn, name)
    ]


def database_statements(conn: psycopg.Connection) -> list[sql.Composable]:
    """Who may connect to this database (the database's own ACL: a copy made with ``CREATE DATABASE
    ... TEMPLATE`` has everything else of the original, but not this)."""
    database = sql.Identifier(conn.info.dbname)
    users = sql.SQL(", ").join(map(sql.Identifier, USER_ROLES))
    me = sql.Identifier(conn.execute("select current_user").fetchone()[0])
    return [
        # nobody connects, creates or makes temporary objects unless granted
        sql.SQL("revoke connect, create, temporary on database {} from public").format(database),
        sql.SQL("grant connect, create, temporary on database {} to {}").format(database, me),
        sql.SQL("grant connect on database {} to {}, {}").format(database, users, sql.Identifier(PORTAL_ROLE)),
        sql.SQL("revoke connect, create, temporary on database {} from {}").format(
            database, sql.Identifier(OWNER_ROLE)
        ),
        sql.SQL("grant connect, temporary on database {} to {}").format(
            database, sql.SQL(", ").join(map(sql.Identifier, SERVICE_LOGINS.values()))
        ),
    ]


def grant_statements(conn: psycopg.Connection) -> list[sql.Composable]:
    """The database's grants (idempotent): user roles read ``published`` only, service roles their layers."""
    users = sql.SQL(", ").join(map(sql.Identifier, USER_ROLES))
    statements = [
        *database_statements(conn),
        sql.SQL("grant usage on schema published, access to {}").format(users),
        sql.SQL("grant execute on all functions in schema access to {}").format(users),
        sql.SQL("grant select on published.my_identity to {}").format(users),
    ]
    statements += _service_grants()
    statements += _office_grants()
    return statements


def _office_grants() -> list[sql.Composable]:
    """The office maintains the management inputs: it appends to their tables (history is append-only)
    and reads them back; nothing else of ``control`` (not the identities)."""
    from bankperf.manage.catalog import kinds

    office = sql.Identifier("office")
    statements = [
        sql.SQL("grant usage on schema control to {}").format(office),
        sql.SQL("grant select, insert on control.import_batches, control.restatement_log to {}").format(office),
    ]
    for kind in kinds().values():
        table = sql.Identifier("control", kind.table)
        statements.append(sql.SQL("grant select, insert on {} to {}").format(table, office))
        views = [sql.Identifier("control", f"{kind.table}_{suffix}") for suffix in ("current", "history")]
        statements.append(sql.SQL("grant select on {} to {}").format(sql.SQL(", ").join(views), office))
    return statements


DBT_SCHEMAS = ("staging", "intermediate", "marts")
OWNED_SCHEMAS = ("raw", "audit", "control", "access", *DBT_SCHEMAS, "published")


def _service_grants() -> list[sql.Composable]:
    """What each service login may do (nothing more; none is a member of another), and the default
    privileges that give the same to the tables the loader and dbt create every night."""
    def grant(text: str, role: str) -> sql.Composable:
        return sql.SQL(text).format(role=sql.Identifier(role))

    dbt_schemas = ", ".join(DBT_SCHEMAS)
    loader_writes = "audit.load_log, audit.rejected_rows"
    orchestrator_writes = "audit.publication_log, control.restatement_log"
    statements = [
        # the loader: creates (and so owns) raw's tables and partitions; writes the load audit
        grant("grant usage, create on schema raw to {role}", LOADER_ROLE),
        grant("grant usage on schema audit to {role}", LOADER_ROLE),
        grant("grant select on all tables in schema audit to {role}", LOADER_ROLE),
        grant(f"grant insert, update on {loader_writes} to {{role}}", LOADER_ROLE),
        grant("grant delete on audit.rejected_rows to {role}", LOADER_ROLE),  # a reload replaces the rejects
        grant("grant usage on all sequences in schema audit to {role}", LOADER_ROLE),
        # dbt: reads raw and control (not the identities), builds its layers and the published views
        grant("grant usage on schema raw, control, access to {role}", TRANSFORM_ROLE),
        grant("grant select on all tables in schema raw, control to {role}", TRANSFORM_ROLE),
        grant("revoke all on control.app_user from {role}", TRANSFORM_ROLE),
        grant("grant usage on schema audit to {role}", TRANSFORM_ROLE),  # published views show published dates
        grant("grant select on audit.published_through, audit.current_publication to {role}", TRANSFORM_ROLE),
        grant(f"grant usage, create on schema {dbt_schemas}, published to {{role}}", TRANSFORM_ROLE),
        grant("grant execute on all functions in schema access to {role}", TRANSFORM_ROLE),
        # the orchestration: reads every layer (gates, checks, reports), writes the run's control state
        grant(f"grant usage on schema raw, audit, control, access, {dbt_schemas}, published to {{role}}",
              ORCHESTRATOR_ROLE),
        grant(f"grant select on all tables in schema raw, audit, control, {dbt_schemas} to {{role}}",
              ORCHESTRATOR_ROLE),
        grant("revoke all on control.app_user from {role}", ORCHESTRATOR_ROLE),
        grant(f"grant insert, update on {orchestrator_writes} to {{role}}", ORCHESTRATOR_ROLE),
        grant("grant usage on all sequences in schema audit, control to {role}", ORCHESTRATOR_ROLE),
        grant("grant execute on all functions in schema access to {role}", ORCHESTRATOR_ROLE),
        # the owner's SECURITY DEFINER scope functions read the tree and the employees dbt builds
        grant(f"grant usage on schema {dbt_schemas} to {{role}}", OWNER_ROLE),
        grant("grant select on all tables in schema marts to {role}", OWNER_ROLE),
        # the same for what the loader and dbt create later (each date's partition, every rebuilt table)
        sql.SQL("alter default privileges for role {} in schema raw grant select on tables to {}, {}").format(
            sql.Identifier(LOADER_ROLE), sql.Identifier(TRANSFORM_ROLE), sql.Identifier(ORCHESTRATOR_ROLE)
        ),
        sql.SQL("alter default privileges for role {} in schema {} grant select on tables to {}").format(
            sql.Identifier(TRANSFORM_ROLE), sql.SQL(dbt_schemas), sql.Identifier(ORCHESTRATOR_ROLE)
        ),
        sql.SQL("alter default privileges for role {} in schema marts grant select on tables to {}").format(
            sql.Identifier(TRANSFORM_ROLE), sql.Identifier(OWNER_ROLE)
        ),
        # before issue 13's wiring the orchestrator was a member of both: no longer
        sql.SQL("revoke {}, {} from {}").format(
            sql.Identifier(LOADER_ROLE), sql.Identifier(TRANSFORM_ROLE), sql.Identifier(ORCHESTRATOR_ROLE)
        ),
    ]
    return statements


def _owner_of(schema: str, relation: str) -> str | None:
    """Which role owns a relation of the project's schemas (None: leave it as it is)."""
    if schema == "raw":
        return LOADER_ROLE
    if schema in DBT_SCHEMAS:
        return TRANSFORM_ROLE
    if schema == "published":
        if relation == "access_log":  # over a superuser's foreign table of the server's log files
            return None
        # the views made by db start/grant (bankperf.publication makes publication_status with the log)
        return OWNER_ROLE if relation in MANAGED_VIEWS or relation == "publication_status" else TRANSFORM_ROLE
    if (schema, relation) == ("audit", "server_log"):  # file_fdw with a program: a superuser's
        return None
    return OWNER_ROLE  # audit, control, workflow


def ownership_statements(conn: psycopg.Connection) -> list[sql.Composable]:
    """ALTER ... OWNER for every schema, relation and function of the project not owned by its role.

    Schemas: ``bankperf_owner``. Relations: ``raw`` the loader's (it swaps partitions in, which needs
    ownership of the parent), dbt's layers and the mart views of ``published`` the transformation's
    (dbt replaces a relation by renaming and dropping the old one, which only its owner may: so they
    stay owned by the role dbt runs as, and the default privileges above give the readers theirs),
    the rest the owner's. Sequences owned by a column follow their table."""
    if not set(SERVICE_ROLES) <= {name for (name,) in conn.execute("select rolname from pg_roles")}:
        return []
    schemas = (*OWNED_SCHEMAS, "workflow", "appraisal")
    statements: list[sql.Composable] = []
    for (schema,) in conn.execute(
        "select nspname from pg_namespace where nspname = any(%s) and nspowner <> %s::regrole order by nspname",
        (list(schemas), OWNER_ROLE),
    ).fetchall():
        statements.append(sql.SQL("alter schema {} owner to {}").format(sql.Identifier(schema),
                                                                        sql.Identifier(OWNER_ROLE)))
    kinds = {"r": "table", "p": "table", "v": "view", "m": "materialized view", "f": "foreign table", "S": "sequence"}
    relations = conn.execute(
        """
        select namespace.nspname, class.relname, class.relkind, pg_get_userbyid(class.relowner)
        from pg_class as class
        inner join pg_namespace as namespace on namespace.oid = class.relnamespace
        where namespace.nspname = any(%s) and class.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
            and not class.relispartition
            and not (class.relkind = 'S' and exists (  -- a column's sequence goes with its table
                select 1 from pg_depend as link
                where link.classid = 'pg_class'::regclass and link.objid = class.oid and link.deptype in ('a', 'i')
                    and link.refclassid = 'pg_class'::regclass and link.refobjsubid > 0
            ))
        order by 1, 2
        """,
        (list(schemas),),
    ).fetchall()
    for schema, name, kind, owner in relations:
        wanted = _owner_of(schema, name)
        if wanted is not None and owner != wanted:
            statements.append(sql.SQL("alter {} {} owner to {}").format(
                sql.SQL(kinds[kind]), sql.Identifier(schema, name), sql.Identifier(wanted)))
    partitions = conn.execute(
        """
        select namespace.nspname, class.relname from pg_class as class
        inner join pg_namespace as namespace on namespace.oid = class.relnamespace
        where namespace.nspname = 'raw' and class.relispartition and class.relowner <> %s::regrole
        order by 2
        """,
        (LOADER_ROLE,),
    ).fetchall()
    for schema, name in partitions:  # each loaded date: the loader detaches and drops it on a reload
        statements.append(sql.SQL("alter table {} owner to {}").format(
            sql.Identifier(schema, name), sql.Identifier(LOADER_ROLE)))
    for (signature,) in conn.execute(
        """
        select proc.oid::regprocedure::text from pg_proc as proc
        inner join pg_namespace as namespace on namespace.oid = proc.pronamespace
        where namespace.nspname in ('access', 'workflow') and proc.proowner <> %s::regrole
        order by 1
        """,
        (OWNER_ROLE,),
    ).fetchall():
        statements.append(sql.SQL("alter function {} owner to {}").format(sql.SQL(signature),
                                                                         sql.Identifier(OWNER_ROLE)))
    return statements


def apply_ownership(conn: psycopg.Connection) -> list[str]:
    """Run :func:`ownership_statements` (after the schemas' objects were created); returns them as text."""
    statements = ownership_statements(conn)
    with conn.transaction():
        for statement in statements:
            conn.execute(statement)
    return [statement.as_string(conn) for statement in statements]


def plan(conn: psycopg.Connection) -> list[sql.Composable]:
    """Every statement ``bankperf db grant`` runs on this database, in order (nothing run yet)."""
    statements: list[sql.Composable] = []
    if _can_manage_roles(conn):
        statements += role_statements(conn)
    for schema in ("raw", "audit", "control", "staging", "intermediate", "marts", "published"):
        statements.append(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
    statements += [sql.SQL(text) for text in APP_USER_DDL + FUNCTIONS + [MY_IDENTITY]]
    statements += audit_view_statements()
    statements += grant_statements(conn)
    return statements


def ensure(conn: psycopg.Connection, dry_run: bool = False) -> list[str]:
    """Apply :func:`plan` (or, with ``dry_run``, only list it); also re-grant the existing published views.

    Returns the statements as text. Roles are created only when the connection may (superuser or
    CREATEROLE); the grants need the roles, so without them only the per-database objects are made.
    One database at a time per server (:func:`server_lock`): the roles, their passwords and settings
    belong to the server, and two transactions changing the same role fail ("tuple concurrently
    updated") even when they run in different databases."""
    with server_lock(conn), conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        conn.execute("set local check_function_bodies = off")  # the marts may not be built yet
        statements = plan(conn)
        missing_roles = [name for name in (*USER_ROLES, *SERVICE_ROLES, PORTAL_ROLE) if not _role_exists(conn, name)]
        if missing_roles and not _can_manage_roles(conn):
            statements = [s for s in statements if not s.as_string(conn).startswith(("grant", "revoke"))]
        statements += view_grants(conn)
        if dry_run or _can_manage_roles(conn):
            statements += ownership_statements(conn)
        texts = [statement.as_string(conn) for statement in statements]
        if not dry_run:
            for statement in statements:
                conn.execute(statement)
            if _can_manage_roles(conn):
                apply_ownership(conn)  # what the statements above created
            set_portal_password(conn)
            set_service_passwords(conn)
    return texts


@contextmanager
def server_lock(conn: psycopg.Connection) -> Iterator[None]:
    """Wait for, then hold, a lock that every database of ``conn``'s server sees, while the block runs.

    An advisory lock belongs to the database it is taken in (``LOCK_KEY`` only keeps two setups of one
    database apart), so this one is taken in the maintenance database on a connection of its own, as
    the same login, and goes with that connection at the end of the block. Where the maintenance
    database cannot be reached, nothing is held: the setup runs as it did before."""
    params = {"dbname": MAINTENANCE_DATABASE}
    if conn.info.password:
        params["password"] = conn.info.password
    try:
        side = psycopg.connect(conninfo.make_conninfo(conn.info.dsn, **params), autocommit=True)
    except psycopg.OperationalError:
        yield
        return
    with side:
        side.execute("select pg_advisory_lock(%s)", (SERVER_LOCK_KEY,))
        yield


def view_grants(conn: psycopg.Connection) -> list[sql.Composable]:
    """SELECT on every existing published view for exactly its readers in the permission table."""
    existing_roles = {name for (name,) in conn.execute("select rolname from pg_roles")}
    if not set(USER_ROLES) <= existing_roles:
        return []
    views = [
        name
        for (name,) in conn.execute(
            "select table_name from information_schema.views where table_schema = 'published' order by table_name"
        )
    ]
    return [statement for view in views for statement in grants_for_view(view)]


def grants_for_view(view: str) -> list[sql.Composable]:
    """Revoke the view from every user role, then grant it to its readers (one view's privileges, exactly)."""
    name = sql.Identifier("published", view)
    statements = [sql.SQL("revoke all on {} from public, {}").format(
        name, sql.SQL(", ").join(map(sql.Identifier, USER_ROLES))
    )]
    readers = permission_table().readers(view)
    if readers:
        to_readers = sql.SQL(", ").join(map(sql.Identifier, readers))
        statements.append(sql.SQL("grant select on {} to {}").format(name, to_readers))
    services = sql.SQL(", ").join(map(sql.Identifier, (TRANSFORM_ROLE, ORCHESTRATOR_ROLE)))
    statements.append(sql.SQL("grant select on {} to {}").format(name, services))
    return statements


def apply_view_grants(conn: psycopg.Connection, views: Iterable[str]) -> None:
    """After the publication recreated views: their grants (skipped where the roles are not there)."""
    existing_roles = {name for (name,) in conn.execute("select rolname from pg_roles")}
    if not (set(USER_ROLES) | {TRANSFORM_ROLE, ORCHESTRATOR_ROLE}) <= existing_roles:
        return
    mine = {  # only a view's owner (or a superuser) grants on it: the others are granted by db grant
        name for (name,) in conn.execute(
            "select relname from pg_class where relnamespace = 'published'::regnamespace "
            "and pg_has_role(current_user, relowner, 'USAGE')"
        )
    }
    for view in (view for view in views if view in mine):
        for statement in grants_for_view(view):
            conn.execute(statement)


# ---------------------------------------------------------------------------------------------
# The portal's service login


def _portal_password_file():
    return settings.home() / "db" / "portal_password"


def portal_password(create: bool = False) -> str:
    """``BANKPERF_PORTAL_PASSWORD``, else the project cluster's ``var/db/portal_password`` (made if asked)."""
    if os.environ.get("BANKPERF_PORTAL_PASSWORD"):
        return os.environ["BANKPERF_PORTAL_PASSWORD"]
    path = _portal_password_file()
    if not path.exists() and create:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(24) + "\n")
        path.chmod(0o600)
    return path.read_text().strip() if path.exists() else ""


def set_portal_password(conn: psycopg.Connection) -> None:
    """Give ``bankperf_portal`` its password (as a SCRAM verifier: the clear text never reaches the server)."""
    if not _role_exists(conn, PORTAL_ROLE) or not _can_manage_roles(conn):
        return
    db = settings.db_settings()
    password = portal_password(create=not db.external or bool(os.environ.get("BANKPERF_PORTAL_PASSWORD")))
    if password:
        set_password(conn, PORTAL_ROLE, password)
    audit_login(conn, PORTAL_ROLE)


def service_password(service: str, create: bool = False) -> str:
    """``BANKPERF_<SERVICE>_PASSWORD``, else the project cluster's ``var/db/<service>_password`` (made if asked)."""
    if os.environ.get(f"BANKPERF_{service.upper()}_PASSWORD"):
        return os.environ[f"BANKPERF_{service.upper()}_PASSWORD"]
    path = settings.service_password_file(service)
    if not path.exists() and create:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(24) + "\n")
        path.chmod(0o600)
    return path.read_text().strip() if path.exists() else ""


def set_service_passwords(conn: psycopg.Connection) -> list[str]:
    """LOGIN and a password (SCRAM verifier) for each service login that has one: from the environment,
    else generated on the project's cluster. Returns the logins that can connect."""
    if not _can_manage_roles(conn):
        return []
    project_cluster = settings.is_project_cluster(settings.db_settings())
    ready = []
    for service, login in SERVICE_LOGINS.items():
        if not _role_exists(conn, login):
            continue
        password = service_password(service, create=project_cluster)
        if password:
            set_password(conn, login, password)
            conn.execute(sql.SQL("alter role {} login").format(sql.Identifier(login)))
            ready.append(login)
    return ready


def audit_login(conn: psycopg.Connection, login: str) -> None:
    """Log every statement of a login: pgaudit's session log where loaded, else log_statement (superuser only)."""
    if not conn.execute("select rolsuper from pg_roles where rolname = current_user").fetchone()[0]:
        return
    if "pgaudit" in conn.execute("select current_setting('shared_preload_libraries')").fetchone()[0]:
        setting = sql.SQL("pgaudit.log = 'read, write, function, role, ddl, misc'")
    else:
        setting = sql.SQL("log_statement = 'all'")
    conn.execute(sql.SQL("alter role {} set {}").format(sql.Identifier(login), setting))


def set_password(conn: psycopg.Connection, login: str, password: str) -> None:
    verifier = conn.pgconn.encrypt_password(password.encode(), login.encode(), b"scram-sha-256").decode()
    conn.execute(sql.SQL("alter role {} password {}").format(sql.Identifier(login), sql.Literal(verifier)))


def portal_settings() -> settings.DbSettings:
    """How the portal connects: the project's database as ``bankperf_portal``."""
    db = settings.db_settings()
    return settings.DbSettings(db.host, db.port, PORTAL_ROLE, portal_password(), db.database, db.external)
