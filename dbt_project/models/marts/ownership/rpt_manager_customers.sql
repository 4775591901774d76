{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        tags=['daily'],
        indexes=[{'columns': ['biz_date'], 'type': 'brin'}],
        pre_hook=[
            "{{ assert_window_views_rebuilt() }}",
            "{{ delete_from_first_rebuilt_day() }}",
        ],
        post_hook=["analyze {{ this }}"],
    )
}}

{#- 客户情况: each manager's customers, one row per business date × owner × customer: the
    allocated deposit and loan balances that day and at the end of the previous month. -#}

{%- set first_date = first_rebuilt_date() %}
{%- set last_date = window_bound('max_date') %}
{%- if first_date is not none and last_date is not none %}
    {#- literals: the facts' BRIN indexes are used for these days only (plan-time pruning) #}
    {%- set on_reported_days = 'in (' ~ dates_and_period_ends(first_date, last_date, ['month']) ~ ')' %}
{%- else %}
    {%- set on_reported_days = 'in (select reported_days.biz_date from reported_days)' %}
{%- endif %}
with

owner_rows as (
    select * from {{ ref('fct_account_owner_daily') }}
),

account_days as (
    select * from {{ ref('fct_account_daily') }}
),

customers as (
    select * from {{ ref('dim_customer') }}
),

rebuilt_days as (
    select
        {{ first_rebuilt_day() }} as first_date,
        {{ window_end("(select max(account_days.biz_date) from account_days)") }} as last_date
),

report_calendar as (
    select calendar_days.calendar_day::date as biz_date
    from rebuilt_days
    cross join lateral generate_series(
        rebuilt_days.first_date::timestamp, rebuilt_days.last_date::timestamp, interval '1 day'
    ) as calendar_days (calendar_day)
),

reported_days as (
    -- the rebuilt days and the month-ends they compare with
    select biz_date from report_calendar
    union
    select {{ period_start('biz_date', 'month') }} - 1 as biz_date from report_calendar
),

customer_balances as (
    select
        owner_rows.biz_date,
        owner_rows.emp_id,
        account_days.cust_id,
        sum(owner_rows.alloc_balance_cny) filter (where owner_rows.acct_type = 'DEP') as deposit_balance_cny,
        sum(owner_rows.alloc_balance_cny) filter (where owner_rows.acct_type = 'LOAN') as loan_balance_cny
    from owner_rows
    inner join account_days
        on
            owner_rows.biz_date = account_days.biz_date
            and owner_rows.acct_type = account_days.acct_type
            and owner_rows.acct_no = account_days.acct_no
            and owner_rows.sub_acct_no = account_days.sub_acct_no
    where
        owner_rows.biz_date {{ on_reported_days }}
        and account_days.biz_date {{ on_reported_days }}
        and owner_rows.share <> 0
    group by owner_rows.biz_date, owner_rows.emp_id, account_days.cust_id
),

current_balances as (
    select customer_balances.*
    from customer_balances
    inner join report_calendar
        on customer_balances.biz_date = report_calendar.biz_date
),

month_end_balances as (
    select
        report_calendar.biz_date as report_date,
        customer_balances.emp_id,
        customer_balances.cust_id,
        customer_balances.deposit_balance_cny,
        customer_balances.loan_balance_cny
    from report_calendar
    inner join customer_balances
        on customer_balances.biz_date = {{ period_start('report_calendar.biz_date', 'month') }} - 1
),

compared as (
    -- customers held that day, or at the previous month-end
    select
        coalesce(current_balances.biz_date, month_end_balances.report_date) as biz_date,
        coalesce(current_balances.emp_id, month_end_balances.emp_id) as emp_id,
        coalesce(current_balances.cust_id, month_end_balances.cust_id) as cust_id,
        coalesce(current_balances.deposit_balance_cny, 0) as deposit_balance_cny,
        coalesce(current_balances.loan_balance_cny, 0) as loan_balance_cny,
        coalesce(month_end_balances.deposit_balance_cny, 0) as deposit_balance_cny_last_month_end,
        coalesce(month_end_balances.loan_balance_cny, 0) as loan_balance_cny_last_month_end
    from current_balances
    full outer join month_end_balances
        on
            current_balances.biz_date = month_end_balances.report_date
            and current_balances.emp_id = month_end_balances.emp_id
            and current_balances.cust_id = month_end_balances.cust_id
),

final as (
    select
        compared.biz_date::date as biz_date,
        compared.emp_id::text as emp_id,
        compared.cust_id::text as cust_id,
        customers.cust_name::text as cust_name,
        customers.customer_segment::text as customer_segment,
        compared.deposit_balance_cny::numeric(22, 2) as deposit_balance_cny,
        compared.loan_balance_cny::numeric(22, 2) as loan_balance_cny,
        compared.deposit_balance_cny_last_month_end::numeric(22, 2) as deposit_balance_cny_last_month_end,
        compared.loan_balance_cny_last_month_end::numeric(22, 2) as loan_balance_cny_last_month_end
    from compared
    left join customers
        on compared.cust_id = customers.cust_id
)

select * from final
