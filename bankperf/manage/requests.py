"""Ownership requests with approval (spec 1.2.3(2), 4.5): a manager reports, the office confirms.

A manager, a branch head or the performance office submits "account X: E1 60 %, E2 40 % from
date D, because …"; the performance office approves or rejects it with a reason. Kept in schema
``workflow`` (requests are work in progress, not management inputs in force):

- ``workflow.ownership_requests``: one row per request; ``submitted_by`` and ``decided_by`` are
  the database logins (``current_user``, set by a trigger, never by the client); a decision is
  final (a trigger refuses any change after it) and **maker ≠ checker** is a table constraint:
  the login that submitted cannot decide.
- ``workflow.ownership_request_shares``: the proposed owners (emp_id, share %, lead flag).

Approval imports the shares as a ``relation_approval`` management input (``bankperf.manage``: the
same validation and history as every import, ``approved_by`` = the approver) in the same
transaction, and records its batch: from then on the relation is in force, dated back when D is
before the last built date (the restatement machinery then applies on the next run).

Privileges (granted here when the roles exist): every user role reads the requests row-level
security lets it see (its own submissions; the office, head office and auditors all);
``manager``, ``branch_head`` and ``office`` submit; only ``office`` decides.
"""

from __future__ import annotations

import psycopg

SCHEMA = "workflow"
SUBMITTERS = ("manager", "branch_head", "office")
READERS = ("office", "head_office", "branch_head", "manager", "analyst", "auditor")
SEE_ALL = ("office", "head_office", "auditor")

DDL = [
    f"create schema if not exists {SCHEMA}",
    """
    create table if not exists workflow.ownership_requests (
        request_id bigint generated always as identity primary key,
        acct_type text not null check (acct_type in ('DEP', 'LOAN', 'CARD')),
        acct_no text not null check (btrim(acct_no) <> ''),
        sub_acct_no text not null default '',
        start_date date not null,
        reason text not null check (btrim(reason) <> ''),
        submitted_by text not null default current_user,
        submitted_at timestamptz not null default clock_timestamp(),
        status text not null default 'PENDING' check (status in ('PENDING', 'APPROVED', 'REJECTED')),
        decided_by text,
        decided_at timestamptz,
        decision_reason text,
        batch_id bigint references control.import_batches (batch_id),
        constraint maker_is_not_checker check (decided_by is distinct from submitted_by),
        constraint decision_is_complete check (
            (status = 'PENDING' and decided_by is null and decided_at is null)
            or (status <> 'PENDING' and decided_by is not null and decided_at is not null
                and btrim(coalesce(decision_reason, '')) <> '')
        ),
        constraint approval_has_batch check ((status = 'APPROVED') = (batch_id is not null))
    )
    """,
    "comment on table workflow.ownership_requests is 'Ownership (relation) requests: submitted by a manager, "
    "branch or the office, approved or rejected by the office (maker is not checker); an approval becomes a "
    "relation_approval management input (batch_id).'",
    """
    create table if not exists workflow.ownership_request_shares (
        request_id bigint not null references workflow.ownership_requests (request_id),
        emp_id text not null check (btrim(emp_id) <> ''),
        share_pct numeric not null check (share_pct > 0 and share_pct <= 100),
        is_lead boolean not null,
        primary key (request_id, emp_id)
    )
    """,
    """
    create or replace function workflow.guard_request() returns trigger language plpgsql as $$
    begin
        if tg_op = 'INSERT' then
            new.submitted_by := current_user;
            new.submitted_at := clock_timestamp();
            new.status := 'PENDING';
            new.decided_by := null;
            new.decided_at := null;
            new.decision_reason := null;
            new.batch_id := null;
            return new;
        end if;
        if old.status <> 'PENDING' then
            raise exception 'ownership request % was already %: a decision is final', old.request_id, old.status;
        end if;
        if (new.acct_type, new.acct_no, new.sub_acct_no, new.start_date, new.reason, new.submitted_by,
            new.submitted_at) is distinct from (old.acct_type, old.acct_no, old.sub_acct_no, old.start_date,
            old.reason, old.submitted_by, old.submitted_at) then
            raise exception 'ownership request %: only the decision may change', old.request_id;
        end if;
        new.decided_by := current_user;
        new.decided_at := clock_timestamp();
        return new;
    end $$
    """,
    """
    create or replace trigger ownership_requests_guard before insert or update on workflow.ownership_requests
    for each row execute function workflow.guard_request()
    """,
    """
    create or replace function workflow.refuse_share_change() returns trigger language plpgsql as $$
    begin
        if tg_op = 'INSERT' and exists (
            select 1 from workflow.ownership_requests as requests
            where requests.request_id = new.request_id and requests.submitted_by = current_user
                and requests.status = 'PENDING'
        ) then
            return new;
        end if;
        raise exception 'the shares of an ownership request are written once, by its submitter';
    end $$
    """,
    """
    create or replace trigger ownership_request_shares_guard before insert or update or delete
    on workflow.ownership_request_shares for each row execute function workflow.refuse_share_change()
    """,
    # who sees which request: the submitter its own, the office, head office and auditors all
    """
    create or replace function workflow.sees_all_requests() returns boolean language sql stable as $$
        select exists (
            select 1 from pg_roles as roles
            where roles.rolname in ('office', 'head_office', 'auditor')
                and pg_has_role(current_user, roles.oid, 'MEMBER')
        )
    $$
    """,
    "alter table workflow.ownership_requests enable row level security",
    "alter table workflow.ownership_request_shares enable row level security",
    "drop policy if exists requests_visible on workflow.ownership_requests",
    """
    create policy requests_visible on workflow.ownership_requests
    using (submitted_by = current_user or workflow.sees_all_requests())
    """,
    "drop policy if exists shares_visible on workflow.ownership_request_shares",
    """
    create policy shares_visible on workflow.ownership_request_shares
    using (exists (select 1 from workflow.ownership_requests as requests
                   where requests.request_id = ownership_request_shares.request_id))
    """,
]


def _role_exists(conn: psycopg.Connection, role: str) -> bool:
    return conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone() is not None


def ensure_tables(conn: psycopg.Connection) -> None:
    """Create the request tables and grant the user roles that exist (idempotent)."""
    for statement in DDL:
        conn.execute(statement)
    grants = []
    for role in READERS:
        if _role_exists(conn, role):
            grants += [f"grant usage on schema workflow to {role}",
                       f"grant select on workflow.ownership_requests, workflow.ownership_request_shares to {role}",
                       f"grant execute on function workflow.sees_all_requests() to {role}"]
    for role in SUBMITTERS:
        if _role_exists(conn, role):
            grants += [f"grant insert (acct_type, acct_no, sub_acct_no, start_date, reason)"
                       f" on workflow.ownership_requests to {role}",
                       f"grant insert on workflow.ownership_request_shares to {role}"]
    if _role_exists(conn, "office"):
        grants.append("grant update (status, decision_reason, batch_id) on workflow.ownership_requests to office")
    for statement in grants:
        conn.execute(statement)
