{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['month_start', 'cust_id'],
        indexes=[{'columns': ['cust_id', 'month_start']}],
        post_hook=["analyze {{ this }}"],
    )
}}

{%- set lower = window_bound('min_date') %}
with

account_days as (
    select * from {{ ref('fct_account_daily') }}
    where {{ window_filter('biz_date') }}
),

credit_days as (
    -- credit business (授信业务) that day: a loan account with a balance
    select distinct
        biz_date,
        cust_id
    from account_days
    where
        acct_type = 'LOAN'
        and is_present
        and balance <> 0
        and cust_id is not null
),

window_months as (
    select
        {{ period_start('biz_date', 'month') }} as month_start,
        cust_id,
        min(biz_date) as first_credit_date,
        max(biz_date) as last_credit_date
    from credit_days
    group by {{ period_start('biz_date', 'month') }}, cust_id
),

kept_months as (
    -- what earlier runs found in the window's months before the window (a month built over several nights)
    {%- if is_incremental() and lower is not none %}
        select
            month_start,
            cust_id,
            first_credit_date,
            least(last_credit_date, '{{ lower }}'::date - 1) as last_credit_date
        from {{ this }}
        where
            month_start >= {{ period_start("'" ~ lower ~ "'::date", 'month') }}
            and first_credit_date < '{{ lower }}'::date
    {%- else %}
        select * from window_months
        where false
    {%- endif %}
),

credit_months as (
    select * from window_months
    union all
    select * from kept_months
),

final as (
    select
        -- key
        month_start::date as month_start,
        cust_id::text as cust_id,
        -- the month's credit days so far
        min(first_credit_date)::date as first_credit_date,
        max(last_credit_date)::date as last_credit_date
    from credit_months
    group by month_start, cust_id
)

select * from final
