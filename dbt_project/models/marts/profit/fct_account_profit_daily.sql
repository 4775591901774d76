{{ config(materialized='view') }}

{#- The FTP simulated profit of each account-day in the wide shape analysts, the portal and the
    owner aggregates read: the price and measures kept by `fct_account_ftp_daily` (incremental,
    monthly partitions) beside the account's attributes and balances of the day from
    `fct_account_daily`, which that fact does not repeat (README "Scale", Storage). -#}

{%- set periods = ['m', 'y'] %}
{%- set exact_columns = [
    'ftp_profit_cny', 'transfer_income_cny', 'transfer_expense_cny', 'economic_capital_cost_cny',
] %}
{%- set summed_columns = exact_columns + ['delta_impairment_cny', 'delta_accrued_unpaid_int_cny', 'int_income_cny'] %}

with

account_profits as (
    select * from {{ ref('fct_account_ftp_daily') }}
),

account_days as (
    select * from {{ ref('fct_account_daily') }}
),

final as (
    select
        -- key
        account_profits.biz_date,
        account_profits.acct_type,
        account_profits.acct_no,
        account_profits.sub_acct_no,
        -- what the price depends on
        account_days.org_id,
        account_days.currency,
        account_days.product_line,
        account_days.loan_method,
        account_days.term_code,
        account_days.open_date,
        account_days.maturity_date,
        {{ remaining_term_months('account_days.maturity_date', 'account_days.biz_date') }}::numeric(12, 6)
            as remaining_term_months,
        account_days.is_present,
        account_days.is_npl,
        account_days.balance_cny,
        account_days.annual_rate,
        account_days.day_basis,
        -- the transfer price and where it came from
        account_profits.price_source,
        account_profits.feed_ftp_rate,
        account_profits.feed_effective_date,
        account_profits.curve_rate,
        account_profits.curve_effective_date,
        account_profits.adjustment_bps,
        account_profits.adjustment_org_id,
        account_profits.adjustment_effective_date,
        account_profits.ftp_rate,
        -- the day's measures, CNY
        account_profits.interest_margin_cny,
        account_profits.transfer_income_cny,
        account_profits.transfer_expense_cny,
        account_days.impairment_cny,
        account_profits.delta_impairment_cny,
        account_days.accrued_unpaid_int_cny,
        account_profits.delta_accrued_unpaid_int_cny,
        account_days.risk_weight,
        account_profits.capital_ratio_pct,
        account_profits.hurdle_rate_pct,
        account_profits.capital_policy_source,
        account_profits.capital_policy_date,
        account_profits.economic_capital_cost_cny,
        (case when account_profits.acct_type = 'DEP' then account_profits.ftp_profit_cny end)::{{ exact_money() }}
            as deposit_profit_cny,
        (case when account_profits.acct_type = 'LOAN' then account_profits.ftp_profit_cny end)::{{ exact_money() }}
            as loan_profit_cny,
        account_profits.ftp_profit_cny,
        -- month- and year-to-date sums
        {%- for column in summed_columns %}
            {%- for suffix in periods %}
                account_profits.{{ column }}_{{ suffix }},
            {%- endfor %}
        {%- endfor %}
        account_days.int_income_cny
    from account_profits
    inner join account_days
        on
            account_profits.acct_type = account_days.acct_type
            and account_profits.acct_no = account_days.acct_no
            and account_profits.sub_acct_no = account_days.sub_acct_no
            and account_profits.biz_date = account_days.biz_date
)

select * from final
