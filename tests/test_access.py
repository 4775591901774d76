"""Who may see what (issue 13), proven with real logins: each role's rows, ranks, masking, escapes.

The bank (three hand-built days, 2 .. 4 March 2026, through the real loaders and a real dbt build,
then published like the nightly run does):

    0001 head office
    ├── 0100 branch one ── 0101 sub-branch, 0102 sub-branch (0102 moves under 0200 on 4 March)
    └── 0200 branch two ── 0201 sub-branch

Employees (all account managers): E1 at 0101, E2 at 0102, E3 at 0201, E4 at 0101 who moves to 0201
on 3 March (no transfer decision: A4 reverts to 0101's virtual manager V0101). One CNY demand
deposit each, opened at the owner's institution: A1 E1 1,000.00; A2 E2 2,000.00; A3 E3 3,000.00;
A4 E4 500.00; A5 E4 700.00 (opened at 0201 on 3 March). Customer C<n> owns A<n>.

Logins are unique per run (roles are cluster-wide) and dropped at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from bankperf import database, publication, settings
from bankperf.access import demo, permission_table, setup, users
from bankperf.access.permissions import USER_ROLES, permission_markdown
from bankperf.dbt_env import PROJECT_DIR
from loaders.load import load_date
from tests.dbt_runs import run_dbt
from tests.deliveries import gl_lines, write_day

D1, D2, D3 = (dt.date(2026, 3, 2) + dt.timedelta(days=offset) for offset in range(3))
PASSWORD = "correct horse battery"  # test logins only, dropped at the end


def _dep(org: str, acct_no: str, cust: str, balance: str, opened: str = "20250101") -> str:
    return (f"{org}|{acct_no}|0001|{cust}|账户{acct_no}|CNY|{balance}|2011|N|{opened}||{opened}|99991231|CUR|"
            f"0.300000|GEN|0|")


def _rows(day: dt.date) -> dict[str, list[str]]:
    e4_org = "0101" if day < D2 else "0201"
    parent_0102 = "0100" if day < D3 else "0200"
    deposits = [_dep("0101", "A1", "C1", "1000.00"), _dep("0102", "A2", "C2", "2000.00"),
                _dep("0201", "A3", "C3", "3000.00"), _dep("0101", "A4", "C4", "500.00")]
    relations = ["DEP|A1|0001|E1|100.00|20250101|", "DEP|A2|0001|E2|100.00|20250101|",
                 "DEP|A3|0001|E3|100.00|20250101|", "DEP|A4|0001|E4|100.00|20250101|"]
    if day >= D2:
        deposits.append(_dep("0201", "A5", "C5", "700.00", opened="20260303"))
        relations.append("DEP|A5|0001|E4|100.00|20260303|")
    return {
        "ORG": ["0001|总行||1|HO|A|19970101", "0100|一分行|0001|2|BR|A|19980301",
                "0101|一支行|0100|3|SB|A|19980301", f"0102|二支行|{parent_0102}|3|SB|A|19980301",
                "0200|二分行|0001|2|BR|A|19980301", "0201|三支行|0200|3|SB|A|19980301"],
        "EMP": ["E1|甲|0101|CM|A|20150701|", "E2|乙|0102|CM|A|20150701|", "E3|丙|0201|CM|A|20150701|",
                f"E4|丁|{e4_org}|CM|A|20150701|"],
        "CUST": [f"C{n}|客户{n}|P||0|11010119800101000{n}|1380000000{n}|地址{n}|0101" for n in range(1, 6)],
        "FX": ["CNY|人民币|1.000000|360|365"],
        "DEP": deposits,
        "GL": gl_lines(deposits, []),
        "REL": relations,
    }


@pytest.fixture(scope="module")
def bank(fresh_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The built and published bank, and one login per role (plus a second branch head and the moved manager)."""
    workdir = tmp_path_factory.mktemp("access")
    inbox = workdir / "inbox"
    for day in (D1, D2, D3):
        write_day(inbox, day, _rows(day))
        result = load_date(inbox, day, quiet=True)
        assert result.ok, result.errors()
    window = json.dumps({"min_date": D1.isoformat(), "max_date": D3.isoformat()})
    command = ["build", "--vars", window, "--exclude-resource-type", "test", "unit_test",
               "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")]
    done = run_dbt(command)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    prefix = f"t13{uuid.uuid4().hex[:6]}_"
    logins = {
        "office": ("office", None, None), "head_office": ("head_office", None, None),
        "branch_head": ("branch_head", None, "0100"), "branch_two": ("branch_head", None, "0200"),
        "manager": ("manager", "E1", None), "moved": ("manager", "E4", None),
        "analyst": ("analyst", None, None), "auditor": ("auditor", None, None),
    }
    # as the nightly job does it: the loader loaded (load_date), dbt built as the transformation's login,
    # the orchestration records the publication and the transformation (re)makes the published views
    with psycopg.connect(settings.service_settings("orchestrator").url, autocommit=True) as conn:
        decisions = [publication.Decision(day, publication.PUBLISHED) for day in (D1, D2, D3)]
        publication.record(conn, "test-access", decisions)
    with psycopg.connect(settings.service_settings("transform").url, autocommit=True) as conn:
        publication.refresh_views(conn, publication.marts_of(workdir / "target" / "manifest.json"))
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        for key, (role, emp, org) in logins.items():
            users.add(conn, users.User(prefix + key, role, emp, org, key), PASSWORD, by="test")
    world = {"db": fresh_db, "login": {key: prefix + key for key in logins}, "workdir": workdir}
    try:
        yield world
    finally:
        with psycopg.connect(fresh_db, autocommit=True) as conn:
            for login in world["login"].values():
                conn.execute("select pg_terminate_backend(pid) from pg_stat_activity where usename = %s", (login,))
                conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(login)))


def _as(bank: dict, key: str) -> psycopg.Connection:
    """A real login: the user's own name and password, as psql or a BI tool would connect."""
    info = psycopg.conninfo.conninfo_to_dict(bank["db"])
    info.update(user=bank["login"][key], password=PASSWORD)
    return psycopg.connect(psycopg.conninfo.make_conninfo(**info), autocommit=True)


def _rows_as(bank: dict, key: str, query: str, params: tuple = ()) -> list[tuple]:
    with _as(bank, key) as conn:
        return conn.execute(query, params).fetchall()


OWNED = "select acct_no, biz_date from published.fct_account_owner_daily where share > 0"


def test_a_manager_sees_only_their_own_rows(bank: dict) -> None:
    assert set(_rows_as(bank, "manager", OWNED)) == {("A1", D1), ("A1", D2), ("A1", D3)}
    subjects = _rows_as(bank, "manager", "select distinct subject_type, subject_id from published.mart_indicator_value")
    assert subjects == [("EMP", "E1")]
    assert _rows_as(bank, "manager", "select login, user_role, emp_id, org_id from published.my_identity") == [
        (bank["login"]["manager"], "manager", "E1", None)
    ]


def test_a_moved_manager_keeps_their_history(bank: dict) -> None:
    # E4 owned A4 at 0101 on 2 March; from 3 March A4 is V0101's and E4 owns A5 at 0201
    assert set(_rows_as(bank, "moved", OWNED)) == {("A4", D1), ("A5", D2), ("A5", D3)}
    days = _rows_as(bank, "moved", "select distinct subject_id, biz_date from published.mart_subject_balance_daily "
                                   "order by biz_date")
    assert days == [("E4", D1), ("E4", D2), ("E4", D3)]


def _subjects(bank: dict, key: str) -> set[tuple]:
    return set(_rows_as(bank, key, "select distinct subject_type, subject_id, biz_date "
                                   "from published.mart_subject_balance_daily"))


def test_a_branch_head_sees_its_subtree_as_it_stood_each_day(bank: dict) -> None:
    # branch 0100: 0101 and 0102 on 2 and 3 March, only 0101 on 4 March (0102 moved under 0200);
    # E4 is under it on 2 March only; E2 (at 0102) until 3 March
    orgs = {D1: {"0100", "0101", "0102"}, D2: {"0100", "0101", "0102"}, D3: {"0100", "0101"}}
    emps = {D1: {"E1", "E2", "E4"}, D2: {"E1", "E2"}, D3: {"E1"}}
    with psycopg.connect(bank["db"]) as conn:  # the service role sees every row: the expected ones among them
        everything = set(conn.execute(
            "select distinct subject_type, subject_id, biz_date from published.mart_subject_balance_daily").fetchall())
    expected = {
        (kind, subject, day) for kind, subject, day in everything
        if (kind == "ORG" and subject in orgs[day])
        or (kind == "EMP" and (subject in emps[day] or subject.removeprefix("V") in orgs[day]))
    }
    seen = _subjects(bank, "branch_head")
    assert seen == expected
    assert {("ORG", "0102", D2), ("EMP", "E4", D1), ("EMP", "E2", D2), ("EMP", "E1", D3)} <= seen
    assert not {("ORG", "0102", D3), ("EMP", "E4", D2), ("EMP", "E2", D3), ("ORG", "0200", D1)} & seen
    assert {subject for kind, subject, _ in seen if kind == "ORG"} == {"0100", "0101", "0102"}
    # accounts by the owner's institution that day: A2 (0102) leaves on 4 March, A4 stays (V0101)
    assert set(_rows_as(bank, "branch_head", OWNED)) == {
        ("A1", D1), ("A2", D1), ("A4", D1), ("A1", D2), ("A2", D2), ("A4", D2), ("A1", D3), ("A4", D3)
    }
    # the other branch: E4 from 3 March, 0102 from 4 March
    other = _subjects(bank, "branch_two")
    assert {("EMP", "E4", D2), ("EMP", "E4", D3), ("ORG", "0102", D3), ("ORG", "0201", D1)} <= other
    assert not {("EMP", "E4", D1), ("ORG", "0102", D2), ("ORG", "0101", D1)} & other


def test_head_office_office_and_analyst_see_every_row(bank: dict) -> None:
    with psycopg.connect(bank["db"]) as conn:
        total = conn.execute("select count(*) from published.mart_indicator_value").fetchone()[0]
    assert total > 0
    for key in ("office", "head_office", "analyst"):
        assert _rows_as(bank, key, "select count(*) from published.mart_indicator_value") == [(total,)]
    assert set(_rows_as(bank, "office", OWNED)) >= {("A3", D1), ("A5", D3)}


def test_a_manager_sees_their_rank_and_no_one_elses_values(bank: dict) -> None:
    # deposit balances on 2 March: E3 3,000, E2 2,000, E1 1,000, E4 500: E1 is third of four managers
    rows = _rows_as(bank, "manager", "select subject_id, value, value_rank_in_bank, peers_in_bank "
                                     "from published.mart_ranking where indicator_code = 'DEP_BAL' "
                                     "and biz_date = %s and caliber = 'ASSESSMENT' and subject_type = 'EMP'", (D1,))
    assert rows == [("E1", Decimal("1000.00"), 3, 4)]
    assert _rows_as(bank, "manager", "select distinct subject_id from published.mart_ranking") == [("E1",)]


def test_personal_data_is_masked_for_analyst_and_auditor(bank: dict) -> None:
    detail = "select acct_no, acct_name from published.rpt_manager_performance_detail where biz_date = %s"
    assert ("A1", "账户A1") in _rows_as(bank, "manager", detail, (D1,))
    assert ("A1", "账户A1") in _rows_as(bank, "office", detail, (D1,))
    for key in ("analyst", "auditor"):
        seen = _rows_as(bank, key, detail, (D1,))
        assert ("A1", None) in seen and all(name is None for _, name in seen)  # the column is there, the value not
    customers = "select cust_id, cust_name from published.rpt_manager_customers where biz_date = %s"
    assert ("C1", "客户1") in _rows_as(bank, "manager", customers, (D1,))
    assert ("C1", None) in _rows_as(bank, "analyst", customers, (D1,))
    # every column the dbt YAML classifies as personal data is masked for the analyst
    for view, column in (("rpt_top_customers", "cust_name"), ("dim_account", "acct_name"),
                         ("dim_customer", "cust_name")):
        values = _rows_as(bank, "analyst", sql.SQL("select {} from published.{}").format(
            sql.Identifier(column), sql.Identifier(view)).as_string(None))
        assert values and all(value is None for (value,) in values), view


def test_customer_names_are_classified_in_the_dbt_yaml(bank: dict) -> None:
    marts = publication.marts_of(bank["workdir"] / "target" / "manifest.json")
    with psycopg.connect(bank["db"]) as conn:
        for mart in marts:
            columns = {name for (name,) in conn.execute(
                "select column_name from information_schema.columns where table_schema = 'published' "
                "and table_name = %s", (mart.name,))}
            assert columns & {"cust_name", "acct_name"} <= mart.personal_columns, mart.name


@pytest.mark.parametrize("statement", [
    "select count(*) from marts.fct_account_daily",
    "select count(*) from raw.dep",
    "select count(*) from staging.stg_core__deposit_accounts",
    "select count(*) from control.app_user",
    "select count(*) from audit.load_log",
    "create view published.around as select * from published.mart_indicator_value",
    "create view public.around as select 1",
    "create temporary view around as select * from published.mart_indicator_value",
    "create function public.around() returns bigint language sql as 'select count(*) from marts.dim_account'",
    "select count(*) from published.rpt_top_customers",  # not a manager's view
    "set role office",
])
def test_escapes_fail_with_a_permission_error(bank: dict, statement: str) -> None:
    with _as(bank, "manager") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)


def test_a_condition_cannot_peek_below_the_scope(bank: dict) -> None:
    # were the user's condition evaluated on rows outside the scope (E3's), it would divide by zero
    probe = ("select count(*) from published.fct_account_owner_daily "
             "where 1 / (case when emp_id = 'E3' then 0 else 1 end) = 1")
    with psycopg.connect(bank["db"]) as conn, pytest.raises(psycopg.errors.DivisionByZero):
        conn.execute(probe)  # (the service role does see E3's rows)
    mine = _rows_as(bank, "manager", "select count(*) from published.fct_account_owner_daily")
    assert _rows_as(bank, "manager", probe) == mine
    identity = ("select count(*) from published.my_identity "
                "where 1 / (case when login = current_user then 1 else 0 end) = 1")
    assert _rows_as(bank, "manager", identity) == [(1,)]


def test_a_user_cannot_become_or_read_another(bank: dict) -> None:
    with _as(bank, "manager") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(sql.SQL("set role {}").format(sql.Identifier(bank["login"]["office"])))
        other = bank["login"]["moved"]
        identity = conn.execute("select access.user_emp(%s), access.user_role(%s)", (other, other)).fetchone()
        assert identity == (None, None)
    info = psycopg.conninfo.conninfo_to_dict(bank["db"])
    info.update(user=bank["login"]["manager"], password="wrong password")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(psycopg.conninfo.make_conninfo(**info)).close()


def test_the_portal_role_acts_as_a_user_after_set_role(bank: dict) -> None:
    portal = setup.portal_settings()
    if not portal.password:
        pytest.skip("no bankperf_portal password here (BANKPERF_PORTAL_PASSWORD or var/db/portal_password)")
    info = psycopg.conninfo.conninfo_to_dict(bank["db"])
    info.update(user=portal.user, password=portal.password)
    with psycopg.connect(psycopg.conninfo.make_conninfo(**info), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select count(*) from published.mart_indicator_value")  # nothing of its own
        conn.execute(sql.SQL("set role {}").format(sql.Identifier(bank["login"]["moved"])))
        assert set(conn.execute(OWNED).fetchall()) == {("A4", D1), ("A5", D2), ("A5", D3)}


def test_the_permission_table_is_what_each_role_gets(bank: dict) -> None:
    table = permission_table()
    with psycopg.connect(bank["db"]) as conn:
        views = [name for (name,) in conn.execute(
            "select table_name from information_schema.views where table_schema = 'published' order by 1")]
    assert set(views) <= set(table.views), "every published view must be in permissions.yaml"
    for role in USER_ROLES:  # each role's login is named after it
        with _as(bank, role) as conn:
            for view in views:
                allowed = role in table.readers(view)
                try:
                    conn.execute(sql.SQL("select * from {} limit 1").format(sql.Identifier("published", view)))
                    assert allowed, f"{role} reads published.{view} but permissions.yaml does not say so"
                except psycopg.errors.InsufficientPrivilege:
                    assert not allowed, f"{role} may read published.{view} by permissions.yaml but cannot"


def test_published_views_carry_the_marts_column_comments(bank: dict) -> None:
    query = ("select count(*) from pg_description where objoid = %s::regclass and objsubid > 0")
    with psycopg.connect(bank["db"]) as conn:
        mart = conn.execute(query, ("marts.mart_indicator_value",)).fetchone()[0]
        view = conn.execute(query, ("published.mart_indicator_value",)).fetchone()[0]
        comment = conn.execute(
            "select col_description('published.mart_indicator_value'::regclass, attnum) from pg_attribute "
            "where attrelid = 'published.mart_indicator_value'::regclass and attname = 'completion_pct'").fetchone()[0]
    assert mart >= 21 and view == mart
    assert comment and "plan" in comment.lower()


def test_user_statements_reach_the_auditors_access_log(bank: dict) -> None:
    with psycopg.connect(bank["db"], autocommit=True) as conn:
        if not database.ensure_access_log(conn):
            pytest.skip("the server's CSV log is not readable here (not the project's own cluster)")
    marker = f"access_log_probe_{uuid.uuid4().hex[:8]}"
    with _as(bank, "manager") as conn:
        conn.execute(f"select count(*) as {marker} from published.mart_indicator_value")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"select count(*) as {marker} from marts.dim_account")
    with _as(bank, "auditor") as conn:
        lines = conn.execute("select login, error_severity, message from published.access_log "
                             "where message like %s or query like %s", (f"%{marker}%", f"%{marker}%")).fetchall()
        connections = conn.execute("select count(*) from published.access_log where login = %s "
                                   "and message like 'connection authorized%%'", (bank["login"]["manager"],)).fetchone()
    assert {login for login, _, _ in lines} == {bank["login"]["manager"]}
    assert any(severity == "ERROR" for _, severity, _ in lines)  # the refused read is there too
    assert any("AUDIT" in message or "statement" in message for _, severity, message in lines if severity == "LOG")
    assert connections[0] >= 1


def test_db_grant_is_idempotent_and_its_dry_run_changes_nothing(bank: dict) -> None:
    privileges = ("select relname, array(select item::text from unnest(relacl) as item order by 1) from pg_class "
                  "where relnamespace = 'published'::regnamespace order by relname")
    with psycopg.connect(bank["db"], autocommit=True) as conn:
        before = conn.execute(privileges).fetchall()
        planned = setup.ensure(conn, dry_run=True)
        assert conn.execute(privileges).fetchall() == before
        assert any(line.startswith("revoke connect, create, temporary on database") for line in planned)
        assert setup.ensure(conn) == planned  # applying it is what the dry run printed
        assert conn.execute(privileges).fetchall() == before  # and changes nothing the second time


def test_users_import_validates_then_creates_logins_with_generated_passwords(bank: dict) -> None:
    prefix = bank["login"]["office"].split("_")[0] + "_imp"
    bad = bank["workdir"] / "users_bad.csv"
    bad.write_text("login,user_role,emp_id,org_id,display_name\n"
                   f"{prefix}1,manager,E99,,nobody\n{prefix}2,branch_head,,,no branch\n{prefix}3,clerk,,,\n",
                   encoding="utf-8")
    good = bank["workdir"] / "users.csv"
    good.write_text(f"login,user_role,emp_id,org_id,display_name\n{prefix}4,manager,E3,,丙\n", encoding="utf-8")
    out = bank["workdir"] / "passwords.txt"
    with psycopg.connect(bank["db"], autocommit=True) as conn:
        with pytest.raises(ValueError) as problem:
            users.import_file(conn, bad, "test", out)
        message = str(problem.value)
        assert "row 2" in message and "E99" in message and "row 3" in message and "row 4" in message
        none = conn.execute("select count(*) from control.app_user where login like %s", (prefix + "%",)).fetchone()
        assert none == (0,)
        try:
            assert users.import_file(conn, good, "test", out).startswith("1 created, 0 updated")
            assert oct(out.stat().st_mode & 0o777) == "0o600"
            login, password = out.read_text().split()
            info = psycopg.conninfo.conninfo_to_dict(bank["db"])
            info.update(user=login, password=password)
            with psycopg.connect(psycopg.conninfo.make_conninfo(**info)) as imported:
                ranked = imported.execute("select distinct subject_id from published.mart_ranking").fetchall()
            assert ranked == [("E3",)]
        finally:
            conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(f"{prefix}4")))


def test_demo_users_log_in_with_the_written_passwords(bank: dict) -> None:
    prefix = bank["login"]["office"].split("_")[0] + "_demo_"
    out = bank["workdir"] / "demo_users.txt"
    with psycopg.connect(bank["db"], autocommit=True) as conn:
        try:
            created = demo.create_demo_users(conn, out, prefix=prefix)
            assert [user.role for user in created] == list(USER_ROLES)
            assert oct(out.stat().st_mode & 0o777) == "0o600"
            lines = [line.split("\t") for line in out.read_text().splitlines()]
            assert [(login, role) for login, role, _ in lines] == [(prefix + role, role) for role in USER_ROLES]
            # on 4 March every manager owns one account (ties go by emp_id); 0200 has 0201 and, by then, 0102
            scopes = {user.role: (user.emp_id, user.org_id) for user in created}
            assert scopes["manager"] == ("E1", None) and scopes["branch_head"] == (None, "0200")
            login, _, password = lines[USER_ROLES.index("manager")]
            info = psycopg.conninfo.conninfo_to_dict(bank["db"])
            info.update(user=login, password=password)
            with psycopg.connect(psycopg.conninfo.make_conninfo(**info)) as manager:
                identity = manager.execute("select login, user_role, emp_id from published.my_identity").fetchall()
            assert identity == [(login, "manager", "E1")]
        finally:
            for user in created if "created" in locals() else []:
                conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(user.login)))


def test_the_readme_shows_the_permission_table() -> None:
    readme = (Path(PROJECT_DIR) / "README.md").read_text(encoding="utf-8")
    assert permission_markdown() in readme


def test_disable_ends_a_login(bank: dict) -> None:
    login = bank["login"]["auditor"]
    with psycopg.connect(bank["db"], autocommit=True) as conn:
        assert users.disable(conn, login) == f"disabled {login}"
        assert conn.execute("select active from control.app_user where login = %s", (login,)).fetchone() == (False,)
    with pytest.raises(psycopg.OperationalError):
        _as(bank, "auditor").close()


def test_the_office_imports_management_inputs_under_its_own_login(bank: dict) -> None:
    from bankperf.manage import commands

    path = bank["workdir"] / "override.csv"
    path.write_text("acct_type,acct_no,sub_acct_no,effective_date,end_date,split_type,portion,emp_id,share_pct,"
                    "is_lead,stock_base,stock_base_amount,threshold_amount,action\n"
                    f"DEP,A1,0001,{D3:%Y-%m-%d},,ALL,ALL,E2,100,1,,,,\n", encoding="utf-8")
    with _as(bank, "office") as conn:
        message = commands.import_file("ownership_override", path, by="finance.li", reason="A1 to E2", conn=conn)
        assert "queued for restatement" in message  # dated on a built day
    with psycopg.connect(bank["db"]) as conn:
        batch = conn.execute("select imported_login, imported_by from control.import_batches "
                             "order by batch_id desc limit 1").fetchone()
        requested = conn.execute("select requested_login, requested_by from control.restatement_log "
                                 "order by restatement_id desc limit 1").fetchone()
    assert batch == (bank["login"]["office"], "finance.li")
    assert requested == (bank["login"]["office"], "finance.li")
    with _as(bank, "manager") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        commands.import_file("ownership_override", path, by="me", reason="mine now", conn=conn)


def _service(bank: dict, service: str) -> psycopg.Connection:
    """A real connection as a service login of the nightly job, with the password it was given."""
    login = settings.service_settings(service)
    assert login.user == setup.SERVICE_LOGINS[service], "the service login has no password: it fell back"
    info = psycopg.conninfo.conninfo_to_dict(bank["db"])
    info.update(user=login.user, password=login.password)
    return psycopg.connect(psycopg.conninfo.make_conninfo(**info))


@pytest.mark.parametrize(("service", "allowed", "refused"), [
    ("loader",
     ["select count(*) from raw.dep", "select count(*) from audit.load_log", "create table raw.loader_probe (x int)",
      "update audit.load_log set error = error", "delete from audit.rejected_rows where false"],
     ["select count(*) from marts.fct_account_daily", "select count(*) from control.app_user",
      "select count(*) from published.mart_indicator_value", "create table marts.loader_probe (x int)",
      "create table staging.loader_probe (x int)", "update audit.publication_log set reason = reason",
      "insert into control.import_batches (kind) values ('x')", "drop table marts.dim_institution",
      "create schema loader_probe"]),
    ("transform",
     ["select count(*) from raw.dep", "select count(*) from control.ownership_overrides",
      "create table marts.transform_probe (x int)", "create view published.transform_probe as select 1 as x",
      "select count(*) from published.mart_indicator_value"],
     ["insert into raw.dep (biz_date) values ('2026-03-02')", "create table raw.transform_probe (x int)",
      "select count(*) from control.app_user", "insert into control.import_batches (kind) values ('x')",
      "insert into audit.load_log (feed) values ('x')", "update audit.load_log set error = error",
      "update audit.publication_log set reason = reason", "delete from audit.rejected_rows",
      "drop table raw.dep", "create schema transform_probe"]),
    ("orchestrator",
     ["select count(*) from raw.dep", "select count(*) from marts.fct_account_daily",
      "select count(*) from published.mart_indicator_value", "update audit.publication_log set reason = reason",
      "update control.restatement_log set status = status"],
     ["create table marts.orchestrator_probe (x int)", "create table raw.orchestrator_probe (x int)",
      "insert into raw.dep (biz_date) values ('2026-03-02')", "delete from marts.fct_account_owner_daily",
      "update audit.load_log set error = error", "drop table marts.dim_institution",
      "select count(*) from control.app_user", "insert into control.import_batches (kind) values ('x')",
      "create view published.orchestrator_probe as select 1 as x"]),
])
def test_service_logins_do_their_job_and_no_other(bank: dict, service: str, allowed: list[str],
                                                    refused: list[str]) -> None:
    with _service(bank, service) as conn:
        for statement in allowed:
            conn.execute(statement)
        conn.rollback()
        for statement in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
            conn.rollback()


def test_service_logins_hold_nothing_beyond_their_grants(bank: dict) -> None:
    with psycopg.connect(bank["db"], autocommit=True) as conn:
        logins = conn.execute(
            "select rolname, rolcanlogin, rolsuper or rolcreaterole or rolcreatedb or rolbypassrls or rolreplication, "
            "array(select parent.rolname from pg_auth_members as member "
            "      inner join pg_roles as parent on parent.oid = member.roleid where member.member = role.oid) "
            "from pg_roles as role where rolname = any(%s) order by rolname",
            (list(setup.SERVICE_ROLES),),
        ).fetchall()
    assert logins == sorted([
        ("bankperf_loader", True, False, []), ("bankperf_orchestrator", True, False, []),
        ("bankperf_owner", False, False, []), ("bankperf_transform", True, False, []),
    ])
    info = psycopg.conninfo.conninfo_to_dict(bank["db"])
    info.update(user=setup.OWNER_ROLE, password=PASSWORD)
    with pytest.raises(psycopg.OperationalError):  # the owner cannot log in at all
        psycopg.connect(psycopg.conninfo.make_conninfo(**info)).close()


def _owners(conn: psycopg.Connection) -> dict[str, set[tuple[str, str]]]:
    """Every schema's relations (partitions too) by owner: {schema: {(owner, relation)}}."""
    found: dict[str, set[tuple[str, str]]] = {}
    for schema, relation, owner in conn.execute(
        "select namespace.nspname, class.relname, pg_get_userbyid(class.relowner) from pg_class as class "
        "inner join pg_namespace as namespace on namespace.oid = class.relnamespace "
        "where namespace.nspname = any(%s) and class.relkind in ('r', 'p', 'v', 'm', 'f')",
        ([*setup.OWNED_SCHEMAS, "workflow"],),
    ):
        found.setdefault(schema, set()).add((owner, relation))
    return found


def test_every_object_is_owned_by_its_service_role_never_a_superuser(bank: dict) -> None:
    with psycopg.connect(bank["db"], autocommit=True) as conn:
        owners = _owners(conn)
        schemas = dict(conn.execute("select nspname, pg_get_userbyid(nspowner) from pg_namespace "
                                    "where nspname = any(%s)", ([*setup.OWNED_SCHEMAS, "workflow"],)).fetchall())
    assert set(schemas.values()) == {"bankperf_owner"}
    by_owner = {schema: {owner for owner, _ in relations} for schema, relations in owners.items()}
    assert by_owner["raw"] == {"bankperf_loader"} and len(owners["raw"]) > 12  # the parents and each date's partitions
    for schema in ("staging", "intermediate", "marts"):
        assert by_owner[schema] == {"bankperf_transform"}, schema
    assert by_owner["control"] == by_owner["workflow"] == {"bankperf_owner"}
    audit = {relation: owner for owner, relation in owners["audit"]}
    assert audit.pop("server_log", "bankperf") == "bankperf"  # file_fdw reading the server's logs: a superuser's
    assert set(audit.values()) == {"bankperf_owner"}
    published = {relation: owner for owner, relation in owners["published"]}
    assert published.pop("access_log", "bankperf") == "bankperf"  # over that foreign table
    assert {published[name] for name in ("my_identity", "load_log", "publication_status")} == {"bankperf_owner"}
    assert published["mart_indicator_value"] == published["dim_institution"] == "bankperf_transform"


def test_dbt_rebuilding_a_mart_keeps_its_owner_and_its_readers(bank: dict) -> None:
    """dbt replaces a table by building a new one and dropping the old (which only its owner may): it
    stays the transformation's, and the default privileges give the new table its readers again, so
    the scope functions (the owner's) and the orchestration still read it."""
    scope = "select distinct emp_id from published.dim_employee order by 1"  # a branch head: its subtree's
    before = _rows_as(bank, "branch_head", scope)
    with psycopg.connect(bank["db"], autocommit=True) as conn:
        oid_before = conn.execute("select 'marts.bridge_institution_ancestor'::regclass::oid").fetchone()[0]
    window = json.dumps({"min_date": D1.isoformat(), "max_date": D3.isoformat()})
    # the table and the views over it (dbt drops the old table with cascade: the views go with it)
    selected = ["bridge_institution_ancestor", "bridge_institution_ancestor+,config.materialized:view"]
    command = ["run", "--vars", window, "--select", *selected,
               "--target-path", str(bank["workdir"] / "target_rebuild"), "--log-path", str(bank["workdir"] / "logs")]
    done = run_dbt(command)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    with _service(bank, "transform") as conn:  # as the publication does after every build
        conn.autocommit = True
        publication.refresh_views(conn, publication.marts_of(bank["workdir"] / "target" / "manifest.json"))
    with psycopg.connect(bank["db"], autocommit=True) as conn:
        rebuilt = conn.execute("select oid, pg_get_userbyid(relowner) from pg_class "
                               "where oid = 'marts.bridge_institution_ancestor'::regclass").fetchone()
    assert rebuilt[0] != oid_before and rebuilt[1] == "bankperf_transform"  # a new table, the same owner
    with _service(bank, "orchestrator") as conn:
        assert conn.execute("select count(*) from marts.bridge_institution_ancestor").fetchone()[0] > 0
    after = _rows_as(bank, "branch_head", scope)
    assert after == before and ("E1",) in after and ("E3",) not in after


def test_db_grant_takes_over_objects_the_bootstrap_login_made(bank: dict) -> None:
    with psycopg.connect(bank["db"], autocommit=True) as conn:
        conn.execute("create table marts.bootstrap_probe (x int)")
        conn.execute("create table audit.bootstrap_probe (x int)")
        try:
            planned = setup.ensure(conn, dry_run=True)
            assert 'alter table "marts"."bootstrap_probe" owner to "bankperf_transform"' in planned
            assert 'alter table "audit"."bootstrap_probe" owner to "bankperf_owner"' in planned
            setup.ensure(conn)
            owners = conn.execute("select relname, pg_get_userbyid(relowner) from pg_class "
                                  "where relname = 'bootstrap_probe' order by relnamespace::regnamespace::text")
            assert owners.fetchall() == [("bootstrap_probe", "bankperf_owner"),
                                         ("bootstrap_probe", "bankperf_transform")]
        finally:
            conn.execute("drop table if exists marts.bootstrap_probe, audit.bootstrap_probe")


def test_the_setup_of_one_database_waits_while_another_changes_the_roles(bank: dict) -> None:
    """Roles, their passwords and settings are the server's: two setups changing one role at once fail
    ("tuple concurrently updated") even from two databases, so ``db grant`` (``setup.ensure``) holds a lock
    every database sees, taken in the maintenance database: here a session there holds it, as another
    database's setup would, and this database's setup waits for it, then runs."""
    info = psycopg.conninfo.conninfo_to_dict(bank["db"])
    maintenance = psycopg.conninfo.make_conninfo(**{**info, "dbname": setup.MAINTENANCE_DATABASE})
    waiting = ("select exists (select 1 from pg_locks where locktype = 'advisory' and not granted "
               "and database = (select oid from pg_database where datname = current_database()) "
               "and ((classid::bigint << 32) | objid::bigint) = %s)")
    outcome: dict[str, object] = {}

    def grant() -> None:
        try:
            with psycopg.connect(bank["db"], autocommit=True) as conn:
                outcome["statements"] = setup.ensure(conn)
        except Exception as exc:  # (seen by the assertions below, not lost in the thread)
            outcome["error"] = exc

    with psycopg.connect(maintenance, autocommit=True) as holder:
        holder.execute("select pg_advisory_lock(%s)", (setup.SERVER_LOCK_KEY,))
        thread = threading.Thread(target=grant, daemon=True)
        thread.start()
        deadline = time.monotonic() + 120
        while not holder.execute(waiting, (setup.SERVER_LOCK_KEY,)).fetchone()[0]:
            assert thread.is_alive() and not outcome, f"the setup did not wait for the lock: {outcome}"
            assert time.monotonic() < deadline, "the setup never asked for the server-wide lock"
            time.sleep(0.05)
        assert thread.is_alive() and not outcome  # waiting, nothing done yet
        holder.execute("select pg_advisory_unlock(%s)", (setup.SERVER_LOCK_KEY,))
        thread.join(timeout=300)
    assert not thread.is_alive() and "error" not in outcome, outcome.get("error")
    assert any(line.startswith("revoke connect, create, temporary on database") for line in outcome["statements"])
