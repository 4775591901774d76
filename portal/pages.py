"""The query pages of the portal (requirements.md, "Queries the users need"), one definition each.

A page is data: its pickers (``params``), one SQL query over ``published.*`` views (psycopg
named parameters), the columns shown (label key and how to format), drill-down links and the
charts, each chart its own small query. The same rows feed the screen and the ``.xlsx``
export. Every query runs as the logged-in user (``SET ROLE``), so row-level security decides
whose rows come back; the ``org``/``emp`` pickers only narrow what the user may see anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

ROW_LIMIT = 500  # rows on screen (and in its export); a longer answer asks to narrow the query

# institutions under (and including) %(org)s on %(date)s
SUBTREE = (
    "(select bridge.org_id from published.bridge_institution_ancestor as bridge"
    " where bridge.ancestor_org_id = %(org)s"
    " and %(date)s between bridge.valid_from and coalesce(bridge.valid_to, %(date)s))"
)


def link(slug: str, **params: object) -> str:
    return f"/q/{slug}?" + urlencode({k: v for k, v in params.items() if v is not None})


@dataclass(frozen=True)
class Column:
    key: str
    fmt: str = "text"  # text | money | pct | count | rank | date | code | indicator | value (by the row's unit)
    label: str | None = None  # label key (default: key)
    link: Callable[[dict, dict], str | None] | None = None  # (row, params) -> url


@dataclass(frozen=True)
class Chart:
    key: str
    title: str  # label key or text
    kind: str  # bar | line | pie
    sql: str | None  # None: draw the page's own rows
    x: str
    y: tuple[str, ...]
    series: str | None = None  # a column whose values become the series (long rows)
    fmt: str = "money"


@dataclass(frozen=True)
class Page:
    slug: str
    title: tuple[str, str]
    group: str
    params: tuple[str, ...]
    sql: str
    columns: tuple[Column, ...]
    charts: tuple[Chart, ...] = ()
    roles: frozenset[str] = frozenset({"office", "head_office", "branch_head", "analyst", "auditor"})
    note: tuple[str, str] | None = None
    order: tuple[str, ...] = field(default=())


ALL_ROLES = frozenset({"office", "head_office", "branch_head", "manager", "analyst", "auditor"})


def _org_children(row: dict, params: dict) -> str:
    return link("org_performance", date=params["date"], caliber=params["caliber"], org=row["subject_id"],
                indicators=",".join(params["indicators"]))


def _org_managers(row: dict, params: dict) -> str:
    return link("manager_performance", date=params["date"], org=row["subject_id"],
                indicators=",".join(params["indicators"]))


def _manager_detail(row: dict, params: dict) -> str:
    return link("manager_detail", date=params["date"], emp=row.get("emp_id") or row.get("subject_id"))


def _account(row: dict, params: dict) -> str:
    acct = f"{row['acct_type']}|{row['acct_no']}|{row['sub_acct_no'] or ''}"
    return link("account_owners", date=params["date"], acct=acct)


def _scorecard_lines(row: dict, params: dict) -> str:
    return link("scorecard_lines", date=params["date"], period_type=params["period_type"],
                subject_type=row["subject_type"], subject=row["subject_id"])


INDICATOR_COLUMNS = (
    Column("indicator_code", "indicator", label="indicator_name"),
    Column("value", "value"), Column("plan_value", "value"), Column("completion_pct", "pct"),
)

PAGES: tuple[Page, ...] = (
    Page(
        "my_performance", ("我的业绩", "My performance"), "g_perf", ("date",),
        """
        select board.indicator_code, board.unit, board.value, board.plan_value, board.completion_pct,
            board.value_rank_in_bank, board.peers_in_bank, board.value_rank_in_institution, board.peers_in_institution
        from published.rpt_manager_scoreboard as board
        where board.biz_date = %(date)s and board.emp_id = %(emp)s
        order by board.indicator_code
        """,
        (*INDICATOR_COLUMNS, Column("value_rank_in_bank", "rank"), Column("peers_in_bank", "count"),
         Column("value_rank_in_institution", "rank"), Column("peers_in_institution", "count")),
        charts=(
            Chart("trend", ("存贷款余额走势", "Deposit and loan balance trend"), "line", """
                select value.biz_date, value.indicator_code, value.value
                from published.mart_indicator_value as value
                where value.subject_type = 'EMP' and value.subject_id = %(emp)s and value.caliber = 'ASSESSMENT'
                    and value.indicator_code in ('DEP_BAL', 'LOAN_BAL')
                    and value.biz_date between %(period_start)s and %(date)s
                order by value.biz_date
                """, "biz_date", ("value",), series="indicator_code"),
        ),
        roles=frozenset({"manager"}),
    ),
    Page(
        "org_performance", ("机构业绩", "Institution performance"), "g_perf",
        ("date", "caliber", "org", "indicators", "period"),
        """
        select value.subject_id, value.subject_name, value.subject_level, value.indicator_code, value.unit,
            value.value, value.plan_value, value.completion_pct
        from published.mart_indicator_value as value
        where value.biz_date = %(date)s and value.subject_type = 'ORG' and value.caliber = %(caliber)s
            and value.indicator_code = any(%(indicators)s)
            and (value.subject_id = %(org)s or value.parent_org_id = %(org)s)
        order by value.subject_level, value.subject_id, value.indicator_code
        """,
        (Column("subject_id", link=_org_children), Column("subject_name", label="org_name", link=_org_managers),
         *INDICATOR_COLUMNS),
        charts=(
            Chart("by_org", ("各机构实际与计划", "Actual and plan by institution"), "bar", None,
                  "subject_name", ("value", "plan_value"), series="indicator_code"),
            Chart("trend", ("期间走势", "Trend over the period"), "line", """
                select value.biz_date, value.indicator_code, value.value
                from published.mart_indicator_value as value
                where value.subject_type = 'ORG' and value.subject_id = %(org)s and value.caliber = %(caliber)s
                    and value.indicator_code = any(%(indicators)s)
                    and value.biz_date between %(period_start)s and %(date)s
                order by value.biz_date
                """, "biz_date", ("value",), series="indicator_code"),
        ),
        note=("点击机构号查看下级机构，点击机构名称查看其客户经理",
              "Click an institution's ID for its sub-institutions, its name for its managers"),
    ),
    Page(
        "manager_performance", ("客户经理业绩", "Manager performance"), "g_perf", ("date", "org", "indicators"),
        f"""
        select ranking.subject_id as emp_id, ranking.subject_name, ranking.parent_org_id, ranking.indicator_code,
            ranking.value, ranking.plan_value, ranking.completion_pct,
            ranking.value_rank_in_bank, ranking.value_rank_in_institution
        from published.mart_ranking as ranking
        where ranking.biz_date = %(date)s and ranking.subject_type = 'EMP' and ranking.caliber = 'ASSESSMENT'
            and ranking.indicator_code = any(%(indicators)s)
            and ranking.parent_org_id in {SUBTREE}
        order by ranking.parent_org_id, ranking.subject_id, ranking.indicator_code
        """,
        (Column("emp_id", link=_manager_detail), Column("subject_name", label="emp_name", link=_manager_detail),
         Column("parent_org_id"), *INDICATOR_COLUMNS,
         Column("value_rank_in_bank", "rank"), Column("value_rank_in_institution", "rank")),
        charts=(Chart("by_manager", ("客户经理实际值", "Actual by manager"), "bar", None,
                      "subject_name", ("value",), series="indicator_code"),),
        note=("点击客户经理查看其业绩明细（账户）", "Click a manager for the accounts behind the figures"),
    ),
    Page(
        "plan_completion", ("计划完成情况", "Plan and completion"), "g_perf", ("date", "caliber", "org"),
        f"""
        select value.subject_type, value.subject_id, value.subject_name, value.indicator_code, value.unit,
            value.plan_period as period, value.value, value.plan_value, value.completion_pct
        from published.mart_indicator_value as value
        where value.biz_date = %(date)s and value.plan_value is not null and value.caliber = %(caliber)s
            and ((value.subject_type = 'ORG' and value.subject_id in {SUBTREE})
                or (value.subject_type = 'EMP' and value.parent_org_id in {SUBTREE}))
        order by value.subject_type desc, value.subject_id, value.indicator_code
        """,
        (Column("subject_type", "code"), Column("subject_id"), Column("subject_name"), Column("period"),
         *INDICATOR_COLUMNS),
        charts=(Chart("plan_vs_actual", ("计划与实际", "Plan vs actual"), "bar", None,
                      "subject_name", ("value", "plan_value"), series="indicator_code"),),
    ),
    Page(
        "comparison", ("对比分析", "Comparison"), "g_analysis", ("date", "caliber", "org", "indicators"),
        """
        select comparison.subject_id, comparison.subject_name, comparison.indicator_code, comparison.unit,
            comparison.value, comparison.value_previous_day, comparison.change_since_previous_day,
            comparison.value_last_month_end, comparison.change_since_month_end,
            comparison.value_last_year_end, comparison.change_since_year_end,
            last_year.value as value_same_day_last_year,
            comparison.value - last_year.value as change_since_same_day_last_year
        from published.rpt_indicator_comparison as comparison
        left join published.mart_indicator_value as last_year
            on last_year.biz_date = (%(date)s::date - interval '1 year')::date
            and last_year.subject_type = comparison.subject_type and last_year.subject_id = comparison.subject_id
            and last_year.caliber = comparison.caliber and last_year.indicator_code = comparison.indicator_code
        where comparison.biz_date = %(date)s and comparison.subject_type = 'ORG' and comparison.caliber = %(caliber)s
            and comparison.indicator_code = any(%(indicators)s)
            and (comparison.subject_id = %(org)s or comparison.parent_org_id = %(org)s)
        order by comparison.subject_id, comparison.indicator_code
        """,
        (Column("subject_id", link=lambda row, params: link(
            "comparison", date=params["date"], caliber=params["caliber"], org=row["subject_id"],
            indicators=",".join(params["indicators"]))),
         Column("subject_name", label="org_name"), Column("indicator_code", "indicator", label="indicator_name"),
         Column("value", "value"), Column("change_since_previous_day", "value"),
         Column("change_since_month_end", "value"),
         Column("change_since_year_end", "value"), Column("value_same_day_last_year", "value"),
         Column("change_since_same_day_last_year", "value")),
        charts=(Chart("changes", ("增量对比", "Changes"), "bar", None, "subject_name",
                      ("change_since_previous_day", "change_since_month_end", "change_since_year_end"),
                      series="indicator_code"),),
    ),
    Page(
        "analysis", ("宏观分析", "Macro analysis"), "g_analysis", ("date", "caliber", "org", "acct_type", "period"),
        """
        with lines as (
            select balance.product_line, balance.customer_segment, balance.currency, balance.balance_cny
            from published.mart_subject_balance_daily as balance
            where balance.biz_date = %(date)s and balance.subject_type = 'ORG' and balance.subject_id = %(org)s
                and balance.caliber = %(caliber)s and balance.acct_type = %(acct_type)s
        ),
        by_dimension as (
            select 'product_line' as dimension, lines.product_line as label, sum(lines.balance_cny) as balance_cny
            from lines group by lines.product_line
            union all
            select 'customer_segment', lines.customer_segment, sum(lines.balance_cny)
            from lines group by lines.customer_segment
            union all
            select 'currency', lines.currency, sum(lines.balance_cny) from lines group by lines.currency
        )
        select by_dimension.dimension, by_dimension.label, by_dimension.balance_cny,
            100 * by_dimension.balance_cny
            / nullif(sum(by_dimension.balance_cny) over (partition by by_dimension.dimension), 0) as share_of_total_pct
        from by_dimension
        order by by_dimension.dimension, by_dimension.balance_cny desc
        """,
        (Column("dimension", "code"), Column("label"), Column("balance_cny", "money"),
         Column("share_of_total_pct", "pct")),
        charts=(
            Chart("trend", ("余额走势", "Balance trend"), "line", """
                select balance.biz_date, sum(balance.balance_cny) as balance_cny
                from published.mart_subject_balance_daily as balance
                where balance.subject_type = 'ORG' and balance.subject_id = %(org)s and balance.caliber = %(caliber)s
                    and balance.acct_type = %(acct_type)s and balance.biz_date between %(period_start)s and %(date)s
                group by balance.biz_date order by balance.biz_date
                """, "biz_date", ("balance_cny",)),
            Chart("product_line", ("按产品线", "By product line"), "pie", "rows:product_line", "label",
                  ("balance_cny",)),
            Chart("customer_segment", ("按客户类型", "By customer segment"), "pie", "rows:customer_segment",
                  "label", ("balance_cny",)),
            Chart("currency", ("按币种", "By currency"), "pie", "rows:currency", "label", ("balance_cny",)),
            Chart("plan_vs_actual", ("计划与实际", "Plan vs actual"), "bar", """
                select value.indicator_code, value.value, value.plan_value
                from published.mart_indicator_value as value
                where value.biz_date = %(date)s and value.subject_type = 'ORG' and value.subject_id = %(org)s
                    and value.caliber = %(caliber)s and value.plan_value is not null and value.unit = 'CNY'
                order by value.indicator_code
                """, "indicator_code", ("value", "plan_value")),
        ),
    ),
    Page(
        "org_ranking", ("机构排名", "Institution ranking"), "g_analysis", ("date", "caliber", "indicator", "level"),
        """
        select ranking.value_rank_in_bank, ranking.subject_id, ranking.subject_name, ranking.parent_org_id,
            ranking.indicator_code, ranking.value, ranking.plan_value, ranking.completion_pct,
            ranking.peers_in_bank, ranking.completion_rank_in_bank
        from published.mart_ranking as ranking
        where ranking.biz_date = %(date)s and ranking.subject_type = 'ORG' and ranking.caliber = %(caliber)s
            and ranking.indicator_code = %(indicator)s and ranking.subject_level = %(level)s
        order by ranking.value_rank_in_bank, ranking.subject_id
        """,
        (Column("value_rank_in_bank", "rank"), Column("subject_id", link=_org_children),
         Column("subject_name", label="org_name"), *INDICATOR_COLUMNS, Column("completion_rank_in_bank", "rank")),
        charts=(Chart("ranking", ("排名", "Ranking"), "bar", None, "subject_name", ("value",)),),
    ),
    Page(
        "manager_ranking", ("客户经理排名", "Manager ranking"), "g_analysis", ("date", "org", "indicator"),
        f"""
        select ranking.value_rank_in_bank, ranking.value_rank_in_institution, ranking.subject_id as emp_id,
            ranking.subject_name, ranking.parent_org_id, ranking.indicator_code, ranking.value, ranking.plan_value,
            ranking.completion_pct, ranking.peers_in_bank
        from published.mart_ranking as ranking
        where ranking.biz_date = %(date)s and ranking.subject_type = 'EMP' and ranking.caliber = 'ASSESSMENT'
            and ranking.indicator_code = %(indicator)s and ranking.parent_org_id in {SUBTREE}
        order by ranking.value_rank_in_bank, ranking.subject_id
        """,
        (Column("value_rank_in_bank", "rank"), Column("value_rank_in_institution", "rank"),
         Column("emp_id", link=_manager_detail), Column("subject_name", label="emp_name"), Column("parent_org_id"),
         *INDICATOR_COLUMNS),
        charts=(Chart("ranking", ("排名", "Ranking"), "bar", None, "subject_name", ("value",)),),
        roles=ALL_ROLES,
    ),
    Page(
        "top_customers", ("大户查询", "Top customers"), "g_customers", ("date", "org", "acct_type", "rank_by", "n"),
        f"""
        select top.{{rank_by}} as rank, top.cust_id, top.cust_name, top.customer_segment, top.open_org_id,
            top.balance_cny, top.avg_balance_cny_m, top.avg_balance_cny_y, top.balance_cny_last_month_end,
            top.change_since_month_end, top.balance_cny_last_year_end, top.change_since_year_end
        from published.rpt_top_customers as top
        where top.biz_date = %(date)s and top.acct_type = %(acct_type)s and top.{{rank_by}} <= %(n)s
            and top.open_org_id in {SUBTREE}
        order by top.{{rank_by}}, top.cust_id
        """,
        (Column("rank", "rank"), Column("cust_id"), Column("cust_name"), Column("customer_segment", "code"),
         Column("open_org_id"), Column("balance_cny", "money"), Column("avg_balance_cny_m", "money"),
         Column("avg_balance_cny_y", "money"), Column("change_since_month_end", "money"),
         Column("change_since_year_end", "money")),
        charts=(Chart("top", ("大户余额", "Top customers' balances"), "bar", None, "cust_name", ("balance_cny",)),),
        note=("会计口径（开户机构）；排名为全行名次", "Accounting caliber (opening institution); ranks are bank-wide"),
    ),
    Page(
        "manager_customers", ("客户经理的客户", "A manager's customers"), "g_customers", ("date", "emp"),
        """
        select customers.cust_id, customers.cust_name, customers.customer_segment,
            customers.deposit_balance_cny, customers.deposit_balance_cny_last_month_end,
            customers.loan_balance_cny, customers.loan_balance_cny_last_month_end
        from published.rpt_manager_customers as customers
        where customers.biz_date = %(date)s and customers.emp_id = %(emp)s
        order by customers.deposit_balance_cny + customers.loan_balance_cny desc, customers.cust_id
        """,
        (Column("cust_id"), Column("cust_name"), Column("customer_segment", "code"),
         Column("deposit_balance_cny", "money"), Column("deposit_balance_cny_last_month_end", "money"),
         Column("loan_balance_cny", "money"), Column("loan_balance_cny_last_month_end", "money")),
        roles=ALL_ROLES,
    ),
    Page(
        "manager_detail", ("客户经理业绩明细", "Manager detail"), "g_customers", ("date", "emp"),
        """
        select detail.acct_type, detail.acct_no, detail.sub_acct_no, detail.acct_name, detail.cust_id, detail.open_date,
            detail.currency, detail.term_code, detail.subject_code, detail.balance_cny, detail.share,
            detail.alloc_balance_cny, detail.avg_alloc_balance_cny_m, detail.avg_alloc_balance_cny_y, detail.source,
            detail.portion
        from published.rpt_manager_performance_detail as detail
        where detail.biz_date = %(date)s and detail.emp_id = %(emp)s
        order by detail.acct_type, detail.alloc_balance_cny desc, detail.acct_no
        """,
        (Column("acct_type", "code"), Column("acct_no", link=_account), Column("sub_acct_no"), Column("acct_name"),
         Column("open_date", "date"), Column("currency"), Column("term_code"), Column("subject_code"),
         Column("balance_cny", "money"), Column("share", "share"), Column("alloc_balance_cny", "money"),
         Column("avg_alloc_balance_cny_m", "money"), Column("avg_alloc_balance_cny_y", "money"),
         Column("source", "code")),
        roles=ALL_ROLES,
        note=("点击账号查看该账户的归属", "Click an account for its owners over time"),
    ),
    Page(
        "cross_branch", ("跨机构业务", "Business at other sub-branches"), "g_customers", ("date", "emp"),
        """
        select cross_branch.acct_type, cross_branch.acct_no, cross_branch.sub_acct_no, cross_branch.acct_name,
            cross_branch.open_org_id, cross_branch.owner_org_id, cross_branch.balance_cny, cross_branch.share,
            cross_branch.alloc_balance_cny, cross_branch.avg_alloc_balance_cny_y
        from published.rpt_manager_cross_branch as cross_branch
        where cross_branch.biz_date = %(date)s and cross_branch.emp_id = %(emp)s
        order by cross_branch.alloc_balance_cny desc, cross_branch.acct_no
        """,
        (Column("acct_type", "code"), Column("acct_no", link=_account), Column("sub_acct_no"), Column("acct_name"),
         Column("open_org_id"), Column("owner_org_id"), Column("balance_cny", "money"), Column("share", "share"),
         Column("alloc_balance_cny", "money"), Column("avg_alloc_balance_cny_y", "money")),
        roles=ALL_ROLES,
    ),
    Page(
        "marketing", ("总行人员营销业绩", "Head-office staff results by sub-branch"), "g_customers", ("date",),
        """
        select cross_branch.open_org_id, cross_branch.acct_type, count(distinct cross_branch.emp_id) as emp_count,
            count(*) as account_count, sum(cross_branch.alloc_balance_cny) as alloc_balance_cny,
            sum(cross_branch.avg_alloc_balance_cny_y) as avg_alloc_balance_cny_y
        from published.rpt_manager_cross_branch as cross_branch
        inner join published.dim_institution as owner_org
            on owner_org.org_id = cross_branch.owner_org_id and owner_org.is_current and owner_org.org_level = 1
        where cross_branch.biz_date = %(date)s
        group by cross_branch.open_org_id, cross_branch.acct_type
        order by cross_branch.open_org_id, cross_branch.acct_type
        """,
        (Column("open_org_id"), Column("acct_type", "code"), Column("account_count", "count"),
         Column("alloc_balance_cny", "money"), Column("avg_alloc_balance_cny_y", "money")),
        note=("总行员工营销、开户在各支行的业务（按开户机构汇总）",
              "Business that head-office staff won at sub-branches, by opening institution"),
    ),
    Page(
        "maturing", ("到期账户", "Accounts maturing"), "g_customers", ("date", "org", "acct_type", "days"),
        f"""
        select maturing.maturity_date, maturing.days_to_maturity, maturing.acct_type, maturing.acct_no,
            maturing.sub_acct_no, maturing.acct_name, maturing.cust_name, maturing.open_org_id, maturing.currency,
            maturing.term_code, maturing.balance, maturing.balance_cny, maturing.annual_rate
        from published.rpt_accounts_maturing as maturing
        where maturing.biz_date = %(date)s and maturing.days_to_maturity <= %(days)s
            and maturing.acct_type = %(acct_type)s and maturing.open_org_id in {SUBTREE}
        order by maturing.maturity_date, maturing.balance_cny desc
        """,
        (Column("maturity_date", "date"), Column("days_to_maturity", "count"), Column("acct_type", "code"),
         Column("acct_no", link=_account), Column("sub_acct_no"), Column("acct_name"), Column("cust_name"),
         Column("open_org_id"), Column("currency"), Column("term_code"), Column("balance", "money"),
         Column("balance_cny", "money"), Column("annual_rate", "rate")),
    ),
    Page(
        "contribution", ("总行客户贡献", "Customer contribution"), "g_customers", ("date", "org", "n"),
        f"""
        select contribution.contribution_rank, contribution.cust_id, contribution.cust_name, contribution.open_org_id,
            contribution.deposit_balance_cny, contribution.loan_balance_cny, contribution.deposit_profit_cny_y,
            contribution.loan_profit_cny_y, contribution.fee_income_cny_y, contribution.contribution_cny_y
        from published.rpt_customer_contribution as contribution
        where contribution.biz_date = %(date)s and contribution.contribution_rank <= %(n)s
            and contribution.open_org_id in {SUBTREE}
        order by contribution.contribution_rank, contribution.cust_id
        """,
        (Column("contribution_rank", "rank"), Column("cust_id"), Column("cust_name"), Column("open_org_id"),
         Column("deposit_balance_cny", "money"), Column("loan_balance_cny", "money"),
         Column("deposit_profit_cny_y", "money"), Column("loan_profit_cny_y", "money"),
         Column("fee_income_cny_y", "money"), Column("contribution_cny_y", "money")),
    ),
    Page(
        "scorecards", ("考核评分卡", "Scorecards"), "g_analysis", ("date", "period_type", "subject_type", "org"),
        f"""
        select card.subject_type, card.subject_id, card.subject_name, card.parent_org_id, card.role_code, card.period,
            card.performance_score, card.ability_score, card.attitude_score, card.total_score,
            card.rank_in_bank, card.rank_in_institution, card.grade
        from published.mart_scorecard as card
        where card.biz_date = %(date)s and card.period_type = %(period_type)s and card.subject_type = %(subject_type)s
            and (card.subject_id in {SUBTREE} or card.parent_org_id in {SUBTREE})
        order by card.rank_in_bank nulls last, card.subject_id
        """,
        (Column("subject_id", link=_scorecard_lines), Column("subject_name"), Column("parent_org_id"),
         Column("role_code"), Column("period"), Column("performance_score", "score"), Column("ability_score", "score"),
         Column("attitude_score", "score"), Column("total_score", "score"), Column("rank_in_bank", "rank"),
         Column("rank_in_institution", "rank"), Column("grade")),
        roles=ALL_ROLES,
    ),
    Page(
        "grade_distribution", ("等级分布", "Grade distribution"), "g_analysis", ("date", "period_type"),
        """
        select dist.period, dist.result_status, dist.role_code, dist.org_id, dist.grade, dist.subjects,
            dist.population, dist.share_pct, dist.quota_pct, dist.confirmed, dist.overridden
        from published.rpt_grade_distribution as dist
        where dist.biz_date = %(date)s and dist.period_type = %(period_type)s
        order by dist.role_code, dist.org_id nulls first, dist.grade
        """,
        (Column("period"), Column("result_status"), Column("role_code"), Column("org_id"), Column("grade"),
         Column("subjects", "count"), Column("population", "count"), Column("share_pct", "pct"),
         Column("quota_pct", "pct"), Column("confirmed", "count"), Column("overridden", "count")),
        roles=frozenset({"office", "head_office", "branch_head", "analyst"}),
        note=("已关账期间取关账版本，未关账期间取当日实时结果；机构为空的行是全行。",
              "Closed periods show the close in force, open ones the day's live results; rows without an "
              "institution are the bank."),
    ),
    Page(
        "scorecard_lines", ("评分卡明细", "Scorecard lines"), "g_analysis",
        ("date", "period_type", "subject_type", "subject"),
        """
        select line.indicator_code, line.value, line.plan_value, line.completion_pct, line.weight_pct,
            line.score_pct, line.weighted_score
        from published.mart_scorecard_line as line
        where line.biz_date = %(date)s and line.period_type = %(period_type)s and line.subject_type = %(subject_type)s
            and line.subject_id = %(subject)s
        order by line.indicator_code
        """,
        (Column("indicator_code", "indicator", label="indicator_name"), Column("value", "money"),
         Column("plan_value", "money"), Column("completion_pct", "pct"), Column("weight_pct", "pct"),
         Column("score_pct", "pct"), Column("weighted_score", "score")),
        roles=ALL_ROLES, order=("hidden",),
    ),
    Page(
        "account_owners", ("账户归属", "Account ownership"), "g_customers", ("date", "acct", "period"),
        """
        select owner.biz_date, owner.emp_id, owner.portion, owner.share_pct, owner.source, owner.owner_org_id,
            owner.balance_cny, owner.alloc_balance_cny
        from published.fct_account_owner_daily as owner
        where owner.acct_type = %(acct_type_of_acct)s and owner.acct_no = %(acct_no)s
            and owner.sub_acct_no = %(sub_acct_no)s and owner.biz_date between %(period_start)s and %(date)s
        order by owner.biz_date desc, owner.share_pct desc, owner.emp_id
        """,
        (Column("biz_date", "date"), Column("emp_id"), Column("portion", "code"), Column("share_pct", "pct"),
         Column("source", "code"), Column("owner_org_id"), Column("balance_cny", "money"),
         Column("alloc_balance_cny", "money")),
        roles=ALL_ROLES, order=("hidden",),
    ),
)

BY_SLUG = {page.slug: page for page in PAGES}
