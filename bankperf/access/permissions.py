"""The permission table (``permissions.yaml``), read once: which role reads which view, which rows.

:func:`scoped_view` turns one published view's query into the query users get: the rows of their
scope, customers' personal data masked for the roles not entitled to it. The scope is decided by
the functions of schema ``access`` (:mod:`bankperf.access.setup`), keyed on ``current_user``, so a
connection that did ``SET ROLE <login>`` sees exactly what that login sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from psycopg import sql

PERMISSIONS_FILE = Path(__file__).with_name("permissions.yaml")
USER_ROLES = ("office", "head_office", "branch_head", "manager", "analyst", "auditor")


@dataclass(frozen=True)
class Role:
    name: str
    rows: str  # all | subtree | own
    personal_data: str  # clear | masked
    doc: str


@dataclass(frozen=True)
class RowRule:
    """How a view's rows are tied to a manager (employee) and a branch head (institution)."""

    public: bool = False
    subject: tuple[str, str] | None = None  # (subject_type column, subject_id column)
    employee: str | None = None
    institution: str | None = None
    date: str | None = None

    def columns(self) -> list[str]:
        named = [*(self.subject or ()), self.employee, self.institution, self.date]
        return [name for name in named if name]


@dataclass(frozen=True)
class ViewRule:
    name: str
    readers: tuple[str, ...]
    rows: RowRule


@dataclass(frozen=True)
class Permissions:
    roles: dict[str, Role]
    views: dict[str, ViewRule]

    def readers(self, view: str) -> tuple[str, ...]:
        """Who may select from a view (nobody among the user roles when the table does not list it)."""
        rule = self.views.get(view)
        return rule.readers if rule else ()

    def roles_with(self, rows: str | None = None, personal_data: str | None = None) -> list[str]:
        return [
            role.name
            for role in self.roles.values()
            if (rows is None or role.rows == rows) and (personal_data is None or role.personal_data == personal_data)
        ]


def _row_rule(spec: object, view: str) -> RowRule:
    if spec == "public":
        return RowRule(public=True)
    if not isinstance(spec, dict) or not spec:
        raise ValueError(f"permissions.yaml: view {view}: rows must be 'public' or a mapping, got {spec!r}")
    unknown = set(spec) - {"subject", "employee", "institution", "date"}
    if unknown:
        raise ValueError(f"permissions.yaml: view {view}: unknown rows keys {sorted(unknown)}")
    subject = tuple(spec["subject"]) if "subject" in spec else None
    if subject is not None and len(subject) != 2:
        raise ValueError(f"permissions.yaml: view {view}: subject is [type column, id column]")
    return RowRule(
        subject=subject, employee=spec.get("employee"), institution=spec.get("institution"), date=spec.get("date")
    )


@cache
def permission_table() -> Permissions:
    data = yaml.safe_load(PERMISSIONS_FILE.read_text())
    roles = {name: Role(name, spec["rows"], spec["personal_data"], spec["doc"]) for name, spec in data["roles"].items()}
    if tuple(roles) != USER_ROLES:
        raise ValueError(f"permissions.yaml: roles must be exactly {', '.join(USER_ROLES)}")
    groups = data.get("groups", {})
    views = {}
    for name, spec in data["views"].items():
        readers_spec = spec["readers"]
        readers = groups[readers_spec] if isinstance(readers_spec, str) else readers_spec
        unknown = [role for role in readers if role not in roles]
        if unknown:
            raise ValueError(f"permissions.yaml: view {name}: unknown readers {unknown}")
        views[name] = ViewRule(name, tuple(readers), _row_rule(spec["rows"], name))
    return Permissions(roles, views)


# ---------------------------------------------------------------------------------------------
# The query users get


def _literals(values: Sequence[str]) -> sql.Composable:
    return sql.SQL(", ").join(sql.Literal(value) for value in values)


MY_ROLE = sql.SQL("(select access.user_role(current_user))")
MY_EMP = sql.SQL("(select access.user_emp(current_user))")
MY_ORG = sql.SQL("(select access.user_org(current_user))")


def personal_data_clear() -> sql.Composable:
    """True when the current user may see customers' personal data (service roles may: no identity row)."""
    masked = permission_table().roles_with(personal_data="masked")
    return sql.SQL("coalesce({role} not in ({masked}), true)").format(role=MY_ROLE, masked=_literals(masked))


def _in_subtree(kind: str, value: sql.Composable, day: sql.Composable) -> sql.Composable:
    """``value`` (an institution or an employee) is under the current user's institution on ``day``.

    Two sets hashed once per query decide most rows: what has been under it on every day it existed
    (yes), what never was (no); only the rest (moved institutions and employees) is checked against
    the tree of the row's day."""
    ever = "subtree_orgs" if kind == "org" else "subtree_employees"
    on_day = "org_in_subtree" if kind == "org" else "employee_in_subtree"
    check = (
        "({value} in (select access.{ever}_always(current_user)) or ({value} in (select access.{ever}(current_user)) "
        "and access.{on_day}({root}, {value}, {day})))"
    )
    return sql.SQL(check).format(value=value, ever=sql.SQL(ever), on_day=sql.SQL(on_day), root=MY_ORG, day=day)


def row_filter(rule: RowRule, source: str) -> sql.Composable:
    """The condition a row must meet for the current user (``source``: the relation read directly)."""
    everything = sql.SQL("(select has_table_privilege({source}::regclass, 'select')) or {role} in ({roles})").format(
        source=sql.Literal(source),
        role=MY_ROLE,
        roles=_literals(permission_table().roles_with(rows="all")),
    )
    if rule.public:
        return sql.SQL("true")
    row = sql.Identifier("published_rows")
    day = sql.SQL("{}.{}").format(row, sql.Identifier(rule.date)) if rule.date else sql.SQL("null::date")
    own: list[sql.Composable] = []
    subtree: list[sql.Composable] = []
    if rule.subject:
        kind, subject = (sql.SQL("{}.{}").format(row, sql.Identifier(name)) for name in rule.subject)
        own.append(sql.SQL("({kind} = 'EMP' and {subject} = {emp})").format(kind=kind, subject=subject, emp=MY_EMP))
        subtree.append(
            sql.SQL("(case {kind} when 'ORG' then {org_check} when 'EMP' then {emp_check} end)").format(
                kind=kind, org_check=_in_subtree("org", subject, day), emp_check=_in_subtree("employee", subject, day)
            )
        )
    if rule.employee:
        employee = sql.SQL("{}.{}").format(row, sql.Identifier(rule.employee))
        own.append(sql.SQL("{} = {}").format(employee, MY_EMP))
        if not rule.institution:
            subtree.append(_in_subtree("employee", employee, day))
    if rule.institution:
        institution = sql.SQL("{}.{}").format(row, sql.Identifier(rule.institution))
        subtree.append(_in_subtree("org", institution, day))
    parts = [sql.SQL("({})").format(everything)]
    for role, conditions in (("own", own), ("subtree", subtree)):
        for name in permission_table().roles_with(rows=role):
            for condition in conditions:
                parts.append(sql.SQL("({role} = {name} and {condition})").format(
                    role=MY_ROLE, name=sql.Literal(name), condition=condition
                ))
    return sql.SQL("\n    or ").join(parts)


def scoped_view(
    query: sql.Composable, columns: Sequence[str], rule: ViewRule | None, personal: Sequence[str], source: str
) -> sql.Composable:
    """The published view's body: ``query`` (the publication's rows) filtered and masked for the current user.

    ``source`` is the relation the view reads (``schema.name``): whoever may read it directly (the
    service roles) gets every row. A view without a rule shows nothing to any user role."""
    selected = []
    for column in columns:
        name = sql.Identifier(column)
        if column in personal:
            selected.append(sql.SQL("case when {clear} then published_rows.{name} end as {name}").format(
                clear=personal_data_clear(), name=name
            ))
        else:
            selected.append(sql.SQL("published_rows.{}").format(name))
    rows = rule.rows if rule else RowRule()
    missing = [name for name in rows.columns() if name not in columns]
    if missing:
        raise ValueError(f"permissions.yaml: view {rule.name if rule else '?'} has no column(s) {missing}")
    condition = row_filter(rows, source)
    return sql.SQL("select {columns}\nfrom ({query}) as published_rows\nwhere {condition}").format(
        columns=sql.SQL(",\n    ").join(selected), query=query, condition=condition
    )


def permission_markdown() -> str:
    """The permission table as the README shows it (a test keeps the README equal to this)."""
    table = permission_table()
    roles = list(table.roles)
    lines = ["| view | " + " | ".join(f"`{role}`" for role in roles) + " |", "|---" * (len(roles) + 1) + "|"]
    for name, rule in table.views.items():
        cells = []
        for role_name in roles:
            role = table.roles[role_name]
            if role_name not in rule.readers:
                cells.append("-")
            elif name == "my_identity":
                cells.append("own")
            elif rule.rows.public or role.rows == "all":
                cells.append("all")
            elif role.rows == "own":
                cells.append("own" if rule.rows.subject or rule.rows.employee else "none")
            else:
                cells.append("subtree")
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)
