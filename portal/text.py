"""Labels in Chinese first (English on request) and numbers as the bank writes them.

Indicator names come from the catalogue (``seeds/indicator_catalogue.csv``: ``name_zh``,
``name_en``). Money is in yuan with two decimals and thousands separators, or in 万元 (ten
thousand yuan) when the user chooses it; percentages with two decimals; counts as integers.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from decimal import ROUND_HALF_UP, Decimal

from bankperf.settings import REPO_ROOT

LABELS: dict[str, tuple[str, str]] = {
    # navigation and chrome
    "app": ("绩效考核系统", "Performance appraisal"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "password": ("密码", "Password"),
    "username": ("用户名", "Login"),
    "wrong_password": ("用户名或密码错误", "Wrong login or password"),
    "locked": ("连续登录失败次数过多，账户已锁定至", "Too many failed attempts; locked until"),
    "idle": ("会话已超时，请重新登录", "Session timed out; please log in again"),
    "revoked": ("账户已停用", "This login is disabled"),
    "csrf": ("表单已失效（缺少或错误的校验码），请刷新页面重试", "Form expired (missing or wrong CSRF token)"),
    "query": ("查询", "Query"),
    "export": ("导出 Excel", "Export .xlsx"),
    "rows": ("行", "rows"),
    "truncated": ("仅显示前 {n} 行，请缩小查询范围", "Only the first {n} rows are shown; narrow the query"),
    "no_rows": ("无数据", "No data"),
    "unit_yuan": ("元", "yuan"),
    "unit_wan": ("万元", "10k yuan"),
    "lang": ("English", "中文"),
    "home": ("首页", "Home"),
    "as_of": ("数据日期", "Data as of"),
    "role": ("角色", "Role"),
    "forbidden": ("无权访问此页面", "You may not open this page"),
    "charts": ("图表", "Charts"),
    "drill_children": ("下级机构", "sub-institutions"),
    "drill_managers": ("客户经理", "managers"),
    "detail": ("明细", "detail"),
    # groups of pages
    "g_perf": ("业绩查询", "Performance"),
    "g_analysis": ("分析", "Analysis"),
    "g_customers": ("客户", "Customers"),
    "g_admin": ("管理", "Administration"),
    # parameters
    "date": ("数据日期", "Date"),
    "caliber": ("口径", "Caliber"),
    "indicators": ("指标", "Indicators"),
    "indicator": ("指标", "Indicator"),
    "org": ("机构", "Institution"),
    "emp": ("客户经理", "Manager"),
    "acct_type": ("业务类型", "Business"),
    "n": ("前 N 名", "Top N"),
    "days": ("天数 N", "Days N"),
    "rank_by": ("排序依据", "Rank by"),
    "period": ("期间", "Period"),
    "period_type": ("考核期", "Period"),
    "subject_type": ("对象", "Subject"),
    "acct": ("账户", "Account"),
    "level": ("机构层级", "Level"),
    "ASSESSMENT": ("考核口径", "assessment"),
    "ACCOUNTING": ("会计口径", "accounting"),
    "DEP": ("存款", "deposits"),
    "LOAN": ("贷款", "loans"),
    "CARD": ("银行卡", "cards"),
    "EMP": ("客户经理", "managers"),
    "ORG": ("机构", "institutions"),
    "MONTH": ("月度", "month"),
    "QUARTER": ("季度", "quarter"),
    "YEAR": ("年度", "year"),
    "M": ("本月", "this month"),
    "Q": ("本季", "this quarter"),
    "Y": ("本年", "this year"),
    "balance_rank": ("余额", "balance"),
    "avg_m_rank": ("月日均", "month average"),
    "avg_y_rank": ("年日均", "year average"),
    "increase_y_rank": ("比年初净增", "increase since year-end"),
    "decrease_y_rank": ("比年初净减", "decrease since year-end"),
    "increase_m_rank": ("比月初净增", "increase since month-end"),
    "decrease_m_rank": ("比月初净减", "decrease since month-end"),
    # columns
    "subject_name": ("名称", "Name"),
    "org_id": ("机构号", "Inst."),
    "org_name": ("机构", "Institution"),
    "subject_id": ("编号", "ID"),
    "emp_id": ("工号", "Emp. ID"),
    "emp_name": ("客户经理", "Manager"),
    "indicator_name": ("指标", "Indicator"),
    "value": ("实际值", "Actual"),
    "plan_value": ("计划值", "Plan"),
    "completion_pct": ("完成率", "Completion"),
    "value_rank_in_bank": ("全行排名", "Rank in bank"),
    "peers_in_bank": ("全行参与数", "Peers in bank"),
    "value_rank_in_institution": ("机构内排名", "Rank in inst."),
    "peers_in_institution": ("机构内参与数", "Peers in inst."),
    "completion_rank_in_bank": ("完成率排名", "Completion rank"),
    "value_previous_day": ("上日", "Previous day"),
    "value_last_month_end": ("上月末", "Last month-end"),
    "value_last_year_end": ("上年末", "Last year-end"),
    "value_same_day_last_year": ("上年同期", "Same day last year"),
    "change_since_previous_day": ("比上日", "vs previous day"),
    "change_since_month_end": ("比月初", "vs month-end"),
    "change_since_year_end": ("比年初", "vs year-end"),
    "change_since_same_day_last_year": ("比上年同期", "vs last year"),
    "cust_id": ("客户号", "Customer ID"),
    "cust_name": ("客户名称", "Customer"),
    "customer_segment": ("客户类型", "Segment"),
    "open_org_id": ("开户机构", "Opening inst."),
    "balance_cny": ("折人民币余额", "CNY balance"),
    "avg_balance_cny_m": ("月日均", "Month average"),
    "avg_balance_cny_y": ("年日均", "Year average"),
    "balance_cny_last_month_end": ("上月末余额", "Last month-end"),
    "balance_cny_last_year_end": ("上年末余额", "Last year-end"),
    "rank": ("名次", "Rank"),
    "deposit_balance_cny": ("存款余额", "Deposits"),
    "loan_balance_cny": ("贷款余额", "Loans"),
    "deposit_balance_cny_last_month_end": ("存款上月末", "Deposits last month-end"),
    "loan_balance_cny_last_month_end": ("贷款上月末", "Loans last month-end"),
    "acct_no": ("账号", "Account"),
    "sub_acct_no": ("子账号", "Sub-account"),
    "acct_name": ("户名", "Account name"),
    "open_date": ("开户日", "Opened"),
    "currency": ("币种", "Currency"),
    "term_code": ("期限", "Term"),
    "subject_code": ("科目", "GL subject"),
    "product_line": ("产品线", "Product line"),
    "share": ("分成比例", "Share"),
    "share_pct": ("分成比例", "Share"),
    "alloc_balance_cny": ("分配余额", "Allocated balance"),
    "avg_alloc_balance_cny_m": ("分配月日均", "Allocated month avg."),
    "avg_alloc_balance_cny_y": ("分配年日均", "Allocated year avg."),
    "portion": ("部分", "Portion"),
    "source": ("归属来源", "Source"),
    "owner_org_id": ("归属机构", "Owner inst."),
    "maturity_date": ("到期日", "Matures"),
    "days_to_maturity": ("剩余天数", "Days left"),
    "balance": ("原币余额", "Balance"),
    "annual_rate": ("利率", "Rate"),
    "deposit_avg_balance_cny_y": ("存款年日均", "Deposits year avg."),
    "loan_avg_balance_cny_y": ("贷款年日均", "Loans year avg."),
    "deposit_profit_cny_y": ("存款利润(年)", "Deposit profit YTD"),
    "loan_profit_cny_y": ("贷款利润(年)", "Loan profit YTD"),
    "fee_income_cny_y": ("中间业务收入(年)", "Fees YTD"),
    "contribution_cny_y": ("综合贡献(年)", "Contribution YTD"),
    "contribution_rank": ("贡献排名", "Rank"),
    "performance_score": ("业绩得分", "Performance"),
    "ability_score": ("能力得分", "Ability"),
    "attitude_score": ("态度得分", "Attitude"),
    "total_score": ("总分", "Total"),
    "rank_in_bank": ("全行排名", "Rank in bank"),
    "rank_in_institution": ("机构内排名", "Rank in inst."),
    "grade": ("等级", "Grade"),
    "role_code": ("考核角色", "Role"),
    "weight_pct": ("权重", "Weight"),
    "score_pct": ("得分率", "Score"),
    "weighted_score": ("加权得分", "Weighted"),
    "biz_date": ("日期", "Date"),
    "dimension": ("维度", "Dimension"),
    "label": ("分类", "Class"),
    "share_of_total_pct": ("占比", "Share"),
    "account_count": ("账户数", "Accounts"),
    "indicator_code": ("指标代码", "Code"),
    "parent_org_id": ("所属机构", "Institution"),
}

SEGMENTS = {
    "personal": ("个人", "personal"),
    "corporate": ("对公", "corporate"),
    "interbank": ("同业", "interbank"),
}

ROLE_NAMES = {
    "office": ("绩效办", "performance office"), "head_office": ("总行", "head office"),
    "branch_head": ("机构负责人", "branch head"), "manager": ("客户经理", "manager"),
    "analyst": ("分析员", "analyst"), "auditor": ("审计", "auditor"),
}

SOURCES = {
    "OVERRIDE": ("认定", "override"),
    "APPROVED": ("审批认定", "approved relation"),
    "REL": ("核心关系", "core relation"),
    "LEDGER": ("账户经理", "ledger manager"),
    "VIRTUAL": ("虚拟经理", "virtual manager"),
    "ENDED": ("已结束", "ended"),
}


def label(key: str, lang: str = "zh") -> str:
    pair = LABELS.get(key) or ROLE_NAMES.get(key) or SOURCES.get(key) or SEGMENTS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    """The indicator catalogue seed: code → its row (names, unit, direction ...)."""
    with (REPO_ROOT / "seeds" / "indicator_catalogue.csv").open(encoding="utf-8") as handle:
        return {row["indicator_code"]: row for row in csv.DictReader(handle)}


def indicator_name(code: str, lang: str = "zh") -> str:
    row = catalogue().get(code)
    if row is None:
        return code
    return row["name_en"] if lang == "en" else row["name_zh"]


def indicator_unit(code: str) -> str:
    row = catalogue().get(code)
    return row["unit"] if row else "CNY"


WAN = Decimal(10000)
CENT = Decimal("0.01")


def scaled(value: object, kind: str, unit: str) -> object:
    """The number as shown (money in 万元 when asked), rounded to the shown decimals; other values as they are."""
    if value is None or not isinstance(value, int | float | Decimal) or isinstance(value, bool):
        return value
    number = value if isinstance(value, Decimal) else Decimal(value) if isinstance(value, int) else Decimal(str(value))
    if kind == "money":
        if unit == "wan":
            number = number / WAN
        return number.quantize(CENT, rounding=ROUND_HALF_UP)
    if kind == "pct":
        return number.quantize(CENT, rounding=ROUND_HALF_UP)
    if kind in ("count", "rank"):
        return number.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return value


def shown(value: object, kind: str, unit: str, lang: str = "zh") -> str:
    """The text of a cell as the bank writes it."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    number = scaled(value, kind, unit)
    if kind in ("money", "pct") and isinstance(number, Decimal):
        return f"{number:,.2f}" + ("%" if kind == "pct" else "")
    if kind in ("count", "rank") and isinstance(number, Decimal):
        return f"{number:,.0f}"
    if kind == "code":
        return label(str(value), lang)
    if kind == "indicator":
        return indicator_name(str(value), lang)
    return str(value)
