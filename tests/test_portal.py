"""The portal in a real browser (Debian's Chromium driven by Playwright) against a real database.

The session's built warehouse (a copy: tests/warehouse.py, 300 generated accounts, 30 and 31 Dec 2025
built by the real nightly job; 1 Jan 2026 delivered and built here later, after an ownership request
was approved), the real access setup of issue 13 (roles, row-level security, demo users), the portal
served by waitress in this process. Four customers have names that a spreadsheet would read as formulas.
Every request the browser makes is recorded: none may leave the portal's origin.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import threading
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from openpyxl import load_workbook

from bankperf import cli, database
from orchestration.headless import run as nightly_run
from tests import warehouse

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]

DAYS = warehouse.DAYS
FORMULA_NAMES = warehouse.FORMULA_NAMES


def _create_users(url: str, folder: Path) -> dict[str, object]:
    """One login of every role, named for this module (logins belong to the whole cluster)."""
    from bankperf.access.demo import create_demo_users

    with psycopg.connect(url, autocommit=True) as conn:
        created = create_demo_users(conn, folder / "users.txt", prefix=f"t{secrets.token_hex(3)}_")
    return {user.role: user for user in created}


@pytest.fixture(scope="module")
def bank(warehouse_db: dict, dagster_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    state = tmp_path_factory.mktemp("portal_state")
    saved = {name: os.environ.get(name) for name in ("BANKPERF_PORTAL_PASSWORD", "BANKPERF_PORTAL_STATE")}
    from bankperf.access.setup import portal_password

    # the service login belongs to the whole cluster: keep the password it has (the project's own file)
    os.environ["BANKPERF_PORTAL_PASSWORD"] = portal_password(create=True)
    os.environ["BANKPERF_PORTAL_STATE"] = str(state)
    fresh_db = warehouse_db["url"]  # 30 and 31 Dec built and published
    database.ensure_schemas()  # roles, grants, the portal's login and password
    users = _create_users(fresh_db, state)
    yield {"url": fresh_db, "inbox": warehouse_db["inbox"], "users": users, "renamed": warehouse_db["renamed"],
           "state": state}
    with psycopg.connect(fresh_db, autocommit=True) as conn:  # logins are the cluster's: drop this module's
        for user in users.values():
            conn.execute(f"drop owned by {user.login}")
            conn.execute(f"drop role {user.login}")
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
def portal(bank: dict) -> Iterator[str]:
    from waitress.server import create_server

    from portal import db
    from portal.app import create_app

    server = create_server(create_app(), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    db.close_pool()


@pytest.fixture(scope="module")
def browser(portal: str) -> Iterator[object]:
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


class Session:
    """One user's browser context; every request URL is kept."""

    def __init__(self, browser: object, base: str) -> None:
        self.base = base
        self.context = browser.new_context(accept_downloads=True, locale="zh-CN")
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))

    def login(self, login: str, password: str) -> None:
        self.goto("/login")
        self.page.fill("input[name=login]", login)
        self.page.fill("input[name=password]", password)
        self.page.click("#login-button")

    def goto(self, path: str) -> object:
        return self.page.goto(self.base + path)

    def table(self, selector: str = "#data") -> list[list[str]]:
        return self.page.eval_on_selector_all(
            f"{selector} tbody tr", "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))")

    def headers(self, selector: str = "#data") -> list[str]:
        return self.page.eval_on_selector_all(f"{selector} thead th", "cells => cells.map(c => c.innerText.trim())")

    def csrf(self) -> str:
        return self.page.get_attribute("input[name=csrf_token]", "value")

    def foreign(self) -> list[str]:
        return [url for url in self.requests if not (url.startswith(self.base + "/") or url.startswith("data:"))]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session(browser: object, portal: str, bank: dict) -> Iterator[object]:
    opened: list[Session] = []

    def open_as(role: str | None = None) -> Session:
        user_session = Session(browser, portal)
        opened.append(user_session)
        if role:
            user = bank["users"][role]
            user_session.login(user.login, user.password)
        return user_session

    yield open_as
    for user_session in opened:
        assert user_session.foreign() == [], "a page loaded something from another origin"
        user_session.close()


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):,.2f}"


def _number(cell: str) -> Decimal:
    return Decimal(cell.replace(",", "").replace("%", ""))


# --- login, CSRF, lockout, idle timeout -----------------------------------------------------------

def test_wrong_password_and_missing_csrf_are_refused(bank: dict, session) -> None:
    anonymous = session()
    response = anonymous.goto("/q/org_performance")
    assert anonymous.page.url.startswith(anonymous.base + "/login")  # not logged in: the login page
    office_login = bank["users"]["office"].login
    anonymous.login(office_login, "not-the-password")
    assert "用户名或密码错误" in anonymous.page.inner_text("#message")
    response = anonymous.context.request.post(anonymous.base + "/login", form={
        "login": office_login, "password": bank["users"]["office"].password})
    assert response.status == 400  # no CSRF token: refused before the password is even looked at
    office = session("office")
    assert office.page.url.endswith("/q/org_performance")
    response = office.context.request.post(office.base + "/logout", form={"csrf_token": "forged"})
    assert response.status == 400
    response = office.context.request.post(office.base + "/prefs", form={"unit": "wan"})
    assert response.status == 400
    office.goto("/q/org_performance")
    assert office.page.url.endswith("/q/org_performance")  # still logged in: the forged logout did nothing
    office.page.click("#logout")
    office.goto("/q/org_performance")
    assert "/login" in office.page.url


def test_repeated_failures_lock_the_login(bank: dict, session) -> None:
    attacker = session()
    for _ in range(5):
        attacker.login(bank["users"]["auditor"].login, "wrong-password")
    attacker.login(bank["users"]["auditor"].login, bank["users"]["auditor"].password)  # right password, but locked
    assert "锁定" in attacker.page.inner_text("#message")
    assert "/login" in attacker.page.url


def test_an_idle_session_must_log_in_again(bank: dict, session) -> None:
    analyst = session("analyst")
    assert "/q/org_performance" in analyst.page.url
    os.environ["BANKPERF_PORTAL_IDLE_MINUTES"] = "0.02"  # 1.2 seconds
    try:
        analyst.page.wait_for_timeout(1500)
        analyst.goto("/q/org_performance")
        assert "/login" in analyst.page.url and "超时" in analyst.page.inner_text("#message")
    finally:
        os.environ.pop("BANKPERF_PORTAL_IDLE_MINUTES")


# --- what each user sees ---------------------------------------------------------------------------

def test_a_manager_sees_own_figures_rank_and_customers_and_nobody_elses(bank: dict, session) -> None:
    manager = bank["users"]["manager"]
    with psycopg.connect(bank["url"]) as conn:
        deposits = conn.execute(
            "select value from marts.mart_indicator_value where biz_date = %s and subject_type = 'EMP'"
            " and subject_id = %s and caliber = 'ASSESSMENT' and indicator_code = 'DEP_BAL'",
            (DAYS[1], manager.emp_id)).fetchone()[0]
        rank, peers = conn.execute(
            "select value_rank_in_bank, peers_in_bank from marts.mart_ranking where biz_date = %s"
            " and subject_type = 'EMP' and subject_id = %s and caliber = 'ASSESSMENT' and indicator_code = 'DEP_BAL'",
            (DAYS[1], manager.emp_id)).fetchone()
        customers = conn.execute("select count(*) from marts.rpt_manager_customers where biz_date = %s and emp_id = %s",
                                 (DAYS[1], manager.emp_id)).fetchone()[0]
        other = conn.execute(
            "select emp_id from marts.rpt_manager_customers where biz_date = %s and emp_id <> %s"
            " and emp_id not like 'V%%' limit 1", (DAYS[1], manager.emp_id)).fetchone()[0]
    user = session("manager")
    assert user.page.url.endswith("/q/my_performance")
    rows = {row[0]: row for row in user.table()}
    assert rows["客户存款余额"][1] == _money(deposits)
    headers = user.headers()
    assert rows["客户存款余额"][headers.index("全行排名")] == str(rank)
    assert rows["客户存款余额"][headers.index("全行参与数")] == f"{peers:,}"
    assert "机构业绩" not in user.page.inner_text("nav")
    user.goto("/q/manager_customers")
    assert int(user.page.inner_text("#row-count")) == customers > 0
    for path in (f"/q/manager_customers?emp={other}", f"/q/manager_detail?emp={other}",
                 f"/q/my_performance?emp={other}", "/q/org_performance?org=0001"):
        user.goto(path)
        assert user.page.inner_text("#row-count") == "0", path  # the database shows a manager nobody else
    user.goto("/q/manager_ranking?indicator=DEP_BAL")
    assert [row[2] for row in user.table()] == [manager.emp_id]


def test_a_branch_head_sees_the_subtree(bank: dict, session) -> None:
    head = bank["users"]["branch_head"]
    with psycopg.connect(bank["url"]) as conn:
        subtree = {org for (org,) in conn.execute(
            "select org_id from marts.bridge_institution_ancestor where ancestor_org_id = %s and valid_to is null",
            (head.org_id,))}
        managers = conn.execute(
            "select count(distinct subject_id) from marts.mart_ranking where biz_date = %s and subject_type = 'EMP'"
            " and caliber = 'ASSESSMENT' and indicator_code = 'DEP_BAL' and parent_org_id = any(%s)",
            (DAYS[1], list(subtree))).fetchone()[0]
    user = session("branch_head")
    user.goto(f"/q/org_performance?org={head.org_id}")
    shown = {row[0] for row in user.table()}
    assert shown and shown <= subtree and head.org_id in shown
    user.goto("/q/org_performance?org=0001")  # the head office and all branches: only its own branch comes back
    assert {row[0] for row in user.table()} == {head.org_id}
    user.goto(f"/q/manager_performance?org={head.org_id}&indicators=DEP_BAL")
    rows = user.table()
    assert len({row[0] for row in rows}) == managers > 0
    assert {row[2] for row in rows} <= subtree
    with psycopg.connect(bank["url"]) as conn:
        busiest = conn.execute(
            "select emp_id from marts.rpt_manager_performance_detail where biz_date = %s and owner_org_id = any(%s)"
            " and emp_id not like 'V%%' group by emp_id order by count(*) desc, emp_id limit 1",
            (DAYS[1], list(subtree))).fetchone()[0]
    user.page.click(f"#data td:first-child a:text-is('{busiest}')")  # drill down: manager → accounts
    assert "/q/manager_detail" in user.page.url and int(user.page.inner_text("#row-count")) > 0
    user.page.click("#data tbody tr:first-child td:nth-child(2) a")  # account → its owners
    assert "/q/account_owners" in user.page.url and int(user.page.inner_text("#row-count")) > 0


def test_charts_render_from_the_portals_own_script(bank: dict, session) -> None:
    user = session("head_office")
    user.goto("/q/analysis?org=0001&acct_type=DEP")
    user.page.wait_for_selector("#chart-product_line[data-rendered='1'] svg", timeout=20000)
    user.page.wait_for_selector("#chart-trend[data-rendered='1'] svg")
    assert user.page.locator(".chart[data-rendered='1']").count() == 5
    user.goto("/q/org_performance?org=0001")
    user.page.wait_for_selector("#chart-by_org[data-rendered='1'] .bars path", timeout=20000)
    assert any(url.endswith("/static/vendor/plotly.min.js") for url in user.requests)
    user.page.click("#lang-switch")  # the English switch: labels and indicator names from the catalogue
    assert user.page.inner_text("h1") == "Institution performance"
    assert "customer deposit balance" in [row[2] for row in user.table()]
    user.page.click("#lang-switch")
    assert user.page.inner_text("h1") == "机构业绩"


# --- exports ---------------------------------------------------------------------------------------

def _download(user: Session) -> object:
    with user.page.expect_download() as download:
        user.page.click("#export")
    content = Path(download.value.path()).read_bytes()
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula anywhere in the workbook
    return load_workbook(io.BytesIO(content)).active


def test_an_export_is_the_screen_and_formula_like_names_stay_text(bank: dict, session) -> None:
    user = session("office")
    user.goto("/q/top_customers?acct_type=DEP&n=500&org=0001")
    screen = user.table()
    assert len(screen) > 20
    sheet = _download(user)
    cells = [list(row) for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert len(cells) == len(screen)
    headers = user.headers()
    balance = headers.index("折人民币余额 (元)")
    for shown, exported in zip(screen, cells, strict=True):
        assert exported[1] == shown[1]  # customer id
        assert Decimal(str(exported[balance])) == _number(shown[balance])
    names = {row[2] for row in cells}
    with psycopg.connect(bank["url"]) as conn:
        depositors = {cust for (cust,) in conn.execute(
            "select cust_id from marts.rpt_top_customers where biz_date = %s and acct_type = 'DEP'", (DAYS[1],))}
    expected = {name for cust, name in zip(bank["renamed"], FORMULA_NAMES, strict=True) if cust in depositors}
    assert expected and expected <= names  # the names come out as the text they are
    # 万元: the screen and the export both in ten-thousands
    user.page.click("#unit-switch")
    screen_wan = user.table()
    assert _number(screen_wan[0][user.headers().index("折人民币余额 (万元)")]) == (
        _number(screen[0][balance]) / 10000).quantize(Decimal("0.01"))
    sheet = _download(user)
    first = next(sheet.iter_rows(min_row=4, max_row=4, values_only=True))
    assert Decimal(str(first[balance])) == _number(screen_wan[0][balance])
    user.page.click("#unit-switch")


def test_command_line_exports_keep_formula_like_text_plain(bank: dict, tmp_path: Path) -> None:
    from bankperf.manage import commands

    manager = bank["users"]["manager"]
    with psycopg.connect(bank["url"]) as conn:
        acct_no = conn.execute(
            "select acct_no from marts.fct_account_owner_daily where biz_date = %s and emp_id = %s"
            " and acct_type = 'DEP' order by acct_no limit 1", (DAYS[1], manager.emp_id)).fetchone()[0]
    source = tmp_path / "approvals.csv"
    source.write_text("acct_type,acct_no,sub_acct_no,start_date,emp_id,share_pct,is_lead,approved_by\n"
                      f"DEP,{acct_no},,2026-06-01,{manager.emp_id},100,1,=HYPERLINK(\"http://x\")\n", encoding="utf-8")
    commands.import_file("relation_approval", source, "=cmd|' /C calc'!A0", "-test")
    for command in (["manage", "export", "relation_approval"], ["plans", "export"], ["manage", "template", "plan"]):
        out = tmp_path / f"{command[0]}_{command[1]}.xlsx"
        assert cli.main([*command, str(out)]) == 0
        xml = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in xml
    assert cli.main(["recon", "report", "--date", f"{DAYS[1]:%Y%m%d}", "--out", str(tmp_path / "recon")]) == 0
    report = zipfile.ZipFile(next((tmp_path / "recon").glob("*.xlsx")))
    assert not [name for name in report.namelist() if name.startswith("xl/worksheets/")
                and "<f>" in report.read(name).decode()]
    sheet = load_workbook(tmp_path / "manage_export.xlsx").active
    values = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row]
    assert "=HYPERLINK(\"http://x\")" in values


# --- the performance office at work ----------------------------------------------------------------

def test_the_office_uploads_a_plan_and_sees_completion_change(bank: dict, session, tmp_path: Path) -> None:
    user = session("office")
    user.goto("/q/org_performance?org=0001&indicators=DEP_BAL")
    row = next(row for row in user.table() if row[0] == "0001")
    headers = user.headers()
    actual = _number(row[headers.index("实际值")])
    assert row[headers.index("完成率")] == ""  # no plan yet
    plan = (actual * 2).quantize(Decimal("0.01"))  # completion is then 50.00 %
    path = tmp_path / "plans.csv"
    path.write_text(f"indicator_code,subject_type,subject_id,period,plan_value\nDEP_BAL,ORG,0001,2025,{plan}\n"
                    f"LOAN_BAL,ORG,0001,2025,-5\n", encoding="utf-8")
    user.goto("/admin")
    user.page.set_input_files("#upload-plan input[type=file]", str(path))
    user.page.fill("#upload-plan input[name=reason]", "2025 deposit plan")
    user.page.click("#upload-plan button")
    assert "已导入" in user.page.inner_text("#result"), user.page.inner_text("main")
    user.goto("/q/org_performance?org=0001&indicators=DEP_BAL")
    row = next(row for row in user.table() if row[0] == "0001")
    assert row[headers.index("计划值")] == _money(plan)
    assert row[headers.index("完成率")] == "50.00%"
    # a bad file: nothing imported, the problems by row and column on screen
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator_code,subject_type,subject_id,period,plan_value\nDEP_BAL,ORG,0001,2025,abc\n"
                   "NO_SUCH,ORG,0001,2025,1\n", encoding="utf-8")
    user.goto("/admin")
    user.page.set_input_files("#upload-plan input[type=file]", str(bad))
    user.page.fill("#upload-plan input[name=reason]", "bad file")
    user.page.click("#upload-plan button")
    errors = user.table("#errors")
    assert ["2", "plan_value", "'abc' is not a number"] in errors
    user.goto("/admin/history/plan")
    history = user.table("#history")
    assert any(bank["users"]["office"].login in row and "2025 deposit plan" in row for row in history)


def test_an_ownership_request_from_submission_to_the_next_run(bank: dict, session) -> None:
    manager = bank["users"]["manager"]
    with psycopg.connect(bank["url"]) as conn:
        acct_no, sub_acct_no = conn.execute(
            "select acct_no, sub_acct_no from marts.fct_account_owner_daily where biz_date = %s and emp_id = %s"
            " and acct_type = 'DEP' and share = 1 order by acct_no limit 1", (DAYS[1], manager.emp_id)).fetchone()
        colleague = conn.execute(
            "select emp_id from marts.dim_employee where is_current and not is_virtual and emp_id <> %s"
            " order by emp_id limit 1", (manager.emp_id,)).fetchone()[0]
    user = session("manager")
    user.goto("/requests")
    form = "#request-form"
    user.page.select_option(f"{form} select[name=acct_type]", "DEP")
    user.page.fill(f"{form} input[name=acct_no]", acct_no)
    user.page.fill(f"{form} input[name=sub_acct_no]", sub_acct_no)
    user.page.fill(f"{form} input[name=start_date]", "2025-12-30")
    user.page.fill(f"{form} input[name=emp_0]", manager.emp_id)
    user.page.fill(f"{form} input[name=share_0]", "60")
    user.page.fill(f"{form} input[name=emp_1]", colleague)
    user.page.fill(f"{form} input[name=share_1]", "40")
    user.page.fill(f"{form} input[name=reason]", "joint marketing with a colleague")
    user.page.click("#submit-request")
    request_id = int(re.search(r"submitted=(\d+)", user.page.url).group(1))
    assert user.page.inner_text(f"#request-{request_id} .status") == "PENDING"
    # the submitter cannot approve (no button; a forged POST is refused by the database)
    response = user.context.request.post(f"{user.base}/requests/{request_id}/approve",
                                         form={"csrf_token": user.csrf(), "reason": "my own"})
    assert response.status == 403
    office = session("office")
    office.goto("/requests")
    row = f"#request-{request_id}"
    office.page.fill(f"{row} input[name=reason]", "confirmed with the branch")
    office.page.click(f"{row} button.approve")
    assert "approved" in office.page.inner_text("#message")
    assert office.page.inner_text(f"{row} .status") == "APPROVED"
    user.goto("/requests")
    assert user.page.inner_text(f"#request-{request_id} .status") == "APPROVED"
    # the next run: 1 Jan, with 30 and 31 Dec restated (the approval dates back to 30 Dec)
    assert nightly_run(bank["inbox"], DAYS[2], DAYS[2]) == 0
    office.goto(f"/q/account_owners?acct=DEP|{acct_no}|{sub_acct_no}&date={DAYS[2]}&period=M")
    owners = {(row[0], row[1]): row for row in office.table()}
    assert owners[(str(DAYS[2]), manager.emp_id)][3] == "60.00%"
    assert owners[(str(DAYS[2]), colleague)][3] == "40.00%"


def test_maker_is_not_checker_in_the_database(bank: dict) -> None:
    office = bank["users"]["office"]
    from bankperf.access.setup import portal_settings

    service = portal_settings()
    with psycopg.connect(service.url, autocommit=True) as conn:
        conn.execute(f"set role {office.login}")
        request_id = conn.execute(
            "insert into workflow.ownership_requests (acct_type, acct_no, sub_acct_no, start_date, reason)"
            " values ('DEP', 'X1', '', '2025-12-31', 'phoned in') returning request_id").fetchone()[0]
        with pytest.raises(psycopg.errors.CheckViolation, match="maker_is_not_checker"):
            conn.execute("update workflow.ownership_requests set status = 'REJECTED', decision_reason = 'no'"
                         " where request_id = %s", (request_id,))


def test_run_status_shows_published_dates_and_reconciliation(bank: dict, session) -> None:
    user = session("office")
    user.goto("/status")
    assert str(DAYS[-1]) in user.page.inner_text("#last-published") or str(DAYS[1]) in user.page.inner_text(
        "#last-published")
    rows = user.table("#dates")
    assert {row[1] for row in rows} == {"PUBLISHED"}
    manager = session("manager")
    assert manager.goto("/status").status == 403


# --- the appraisal cycle (issue 15) ---------------------------------------------------------------

def test_the_office_overrides_a_grade_with_a_reason_in_the_browser(bank: dict, session) -> None:
    office = session("office")
    office.goto("/appraisal/grades?period=2025Q4")
    first = "#grades tbody tr:first-child"
    subject = office.page.inner_text(f"{first} td:first-child").strip()
    computed = office.page.inner_text(f"{first} td:nth-child(8)").strip()
    other = next(grade for grade in ("A+", "A", "B", "C", "D") if grade != computed)
    office.page.select_option(f"{first} select[name=decision]", "OVERRIDE")
    office.page.select_option(f"{first} select[name=grade]", other)
    office.page.click(f"{first} button")  # no reason: refused by the input's validation, nothing saved
    assert "decision_reason" in office.page.inner_text("#result")
    row = f"#grade-{subject}"
    office.page.select_option(f"{row} select[name=decision]", "OVERRIDE")
    office.page.select_option(f"{row} select[name=grade]", other)
    office.page.fill(f"{row} input[name=decision_reason]", "committee decision 12/2025")
    office.page.click(f"{row} button")
    assert "imported 1 rows of grade_decision" in office.page.inner_text("#result")
    assert office.page.inner_text(f"{row} .grade").strip() == other
    assert office.page.inner_text(f"{row} .grade-status").strip() == "OVERRIDDEN"
    assert "committee decision 12/2025" in office.page.inner_text(row)
    head_office = session("head_office")
    head_office.goto("/appraisal/grades?period=2025Q4")
    assert head_office.page.locator("#grades form").count() == 0  # read-only
    assert session("manager").goto("/appraisal/grades?period=2025Q4").status == 403


def test_the_office_closes_reopens_and_exports_pay_in_the_browser(bank: dict, session) -> None:
    office = session("office")
    login = bank["users"]["office"].login
    office.goto("/appraisal")
    office.page.fill("#close-form input[name=period]", "2025Q4")
    office.page.fill("#close-form input[name=note]", "Q4 results")
    office.page.click("#close-button")
    assert "2025Q4: close" in office.page.inner_text("#result")
    rows = office.table("#closes")
    assert rows[0][:5] == ["2025Q4", "1", "CLOSED", "2025-12-31", login]
    office.page.fill("#close-form input[name=period]", "2025Q4")
    office.page.click("#close-button")
    assert "already closed" in office.page.inner_text("#result")
    office.page.fill("#reopen-form input[name=period]", "2025Q4")
    office.page.fill("#reopen-form input[name=reason]", "late plan correction")
    office.page.click("#reopen-button")
    assert "reopened 2025Q4" in office.page.inner_text("#result")
    office.page.fill("#close-form input[name=period]", "2025Q4")
    office.page.click("#close-button")
    rows = office.table("#closes")
    assert [row[:3] for row in rows[:2]] == [["2025Q4", "2", "CLOSED"], ["2025Q4", "1", "REOPENED"]]
    assert "late plan correction" in rows[1][7]
    with office.page.expect_download() as download:
        office.page.click("#closes tbody tr:first-child a:has-text('薪酬导出')")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][2] == "员工号 employee" and len(lines) > 1
    assert {line[1] for line in lines[1:]} == {2}  # version 2
    assert "OVERRIDDEN" in {line[14] for line in lines[1:]}  # the override of the test above, closed with it
    head_office = session("head_office")
    head_office.goto("/appraisal")
    assert head_office.page.locator("#close-form").count() == 0
    assert head_office.table("#closes")[0][:3] == ["2025Q4", "2", "CLOSED"]
    assert session("manager").goto("/appraisal").status == 403


def test_the_office_enters_a_rating_sheet_and_the_ratee_sees_only_aggregates(bank: dict, session) -> None:
    manager = bank["users"]["manager"]
    with psycopg.connect(bank["url"]) as conn:
        (rater,), = conn.execute("select emp_id from marts.dim_employee where emp_id <> %s and not is_virtual "
                                 "and status = 'A' order by emp_id limit 1", (manager.emp_id,)).fetchall()
    office = session("office")
    office.goto("/appraisal/ratings")
    office.page.fill("#rating-form input[name=period]", "2025Q4")
    office.page.fill("#rating-form input[name=emp_id]", manager.emp_id)
    office.page.select_option("#rating-form select[name=rater_type]", "PEER")
    office.page.fill("#rating-form input[name=rater_id]", rater)
    office.page.fill("#rating-form input[name=item_1]", "TEAMWORK")
    office.page.fill("#rating-form input[name=score_1]", "101")  # out of range: nothing saved
    office.page.click("#rating-save")
    assert "above the maximum 100" in office.page.inner_text("#errors")
    office.page.fill("#rating-form input[name=score_1]", "88")
    office.page.select_option("#rating-form select[name=component_2]", "ATTITUDE")
    office.page.fill("#rating-form input[name=item_2]", "DILIGENCE")
    office.page.fill("#rating-form input[name=score_2]", "76")
    office.page.click("#rating-save")
    assert "imported 2 rows of rating" in office.page.inner_text("#result")
    with psycopg.connect(bank["url"]) as conn:  # as the ratee: per rater type, a single peer withheld
        conn.execute(f"set role {manager.login}")
        summary = conn.execute("select component, rater_type, rater_count, is_withheld, type_score "
                               "from published.mart_rating_summary order by component").fetchall()
        assert summary == [("ABILITY", "PEER", 1, True, None), ("ATTITUDE", "PEER", 1, True, None)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select rater_id from published.rpt_rating_detail")
