{{ config(materialized='view') }}

{#- The public face of `int_account_days_accumulated`, where the account-day history is kept and
    carried from night to night (incremental, monthly partitions), in the wide shape analysts and
    the marts read: the attributes that do not change in an account's life from `dim_account`
    (a LEFT JOIN on its primary key, which PostgreSQL drops from a query that reads none of them),
    the day's CNY amounts, the daily rate, the NPL flag and the period averages computed here from
    what the history keeps. -#}

with

account_days as (
    select * from {{ ref('int_account_days_accumulated') }}
),

accounts as (
    select * from {{ ref('dim_account') }}
),

final as (
    select
        account_days.biz_date,
        account_days.acct_type,
        account_days.acct_no,
        account_days.sub_acct_no,
        account_days.org_id,
        account_days.cust_id,
        account_days.mgr_emp_id,
        accounts.currency,
        account_days.subject_code,
        account_days.product_line,
        account_days.customer_segment,
        accounts.deposit_class,
        accounts.term_code,
        account_days.acct_status,
        accounts.loan_method,
        account_days.five_class::integer as five_class,
        {{ is_npl('account_days.five_class') }} as is_npl,
        account_days.is_small_enterprise,
        account_days.is_present,
        {#- the day's amounts in the account's currency and in CNY at the day's rate #}
        {%- for amount in ['balance', 'impairment', 'accrued_unpaid_int', 'int_income'] %}
            account_days.{{ amount }},
            {{ day_amount_cny('account_days.' ~ amount, 'account_days.cny_rate', 'account_days.is_present') }}
            ::numeric(20, 2) as {{ amount }}_cny,
        {%- endfor %}
        account_days.cny_rate,
        account_days.annual_rate,
        account_days.day_basis::integer as day_basis,
        {{ daily_rate('account_days.annual_rate', 'account_days.day_basis') }}::numeric(20, 16) as daily_rate,
        account_days.risk_weight,
        account_days.open_date,
        account_days.maturity_date,
        account_days.close_date,
        {#- the period sums and their averages (日均 = 积数 / days elapsed), in the account's currency
            then in CNY #}
        {%- set period_columns = [] %}
        {%- for currency in ['', 'cny_'] %}
            {%- for suffix, period in {'m': 'month', 'q': 'quarter', 'y': 'year'}.items() %}
                {%- set cum = 'account_days.cum_balance_' ~ currency ~ suffix %}
                {%- do period_columns.append(cum) %}
                {%- do period_columns.append(
                    'round(' ~ cum ~ ' / ' ~ days_elapsed('account_days.biz_date', period) ~ ', 6)::numeric(24, 6)'
                    ~ ' as avg_balance_' ~ currency ~ suffix
                ) %}
            {%- endfor %}
        {%- endfor %}
        {{ period_columns | join(',\n        ') }}
    from account_days
    left join accounts
        on
            account_days.acct_type = accounts.acct_type
            and account_days.acct_no = accounts.acct_no
            and account_days.sub_acct_no = accounts.sub_acct_no
)

select * from final
