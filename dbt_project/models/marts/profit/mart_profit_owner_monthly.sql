{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month_start',
    )
}}

with

owner_days as (
    -- every day held of the months the window (or a restatement before it) touches, from their
    -- first day (a rerun of a day recomputes its whole month, days after the window included)
    select * from {{ ref('fct_profit_owner_daily') }}
    where biz_date >= {{ period_start(first_rebuilt_day(), 'month') }}
),

final as (
    select
        -- key
        {{ period_start('biz_date', 'month') }}::date as month_start,
        emp_id::text as emp_id,
        owner_org_id::text as owner_org_id,
        record_org_id::text as record_org_id,
        -- how far the month is built
        max(biz_date)::date as through_date,
        -- month (to date) sums, CNY: interest and profit exact (rules.md, Precision), fees and settlements
        -- to the fen
        sum(deposit_profit_cny)::{{ exact_money() }} as deposit_profit_cny,
        sum(loan_profit_cny)::{{ exact_money() }} as loan_profit_cny,
        sum(transfer_income_cny)::{{ exact_money() }} as transfer_income_cny,
        sum(transfer_expense_cny)::{{ exact_money() }} as transfer_expense_cny,
        sum(economic_capital_cost_cny)::{{ exact_money() }} as economic_capital_cost_cny,
        sum(loan_int_income_cny)::{{ exact_money() }} as loan_int_income_cny,
        sum(fee_income_cny)::numeric(24, 2) as fee_income_cny,
        sum(fee_unassessed_cny)::numeric(24, 2) as fee_unassessed_cny,
        sum(intl_settlement_cny)::numeric(24, 2) as intl_settlement_cny
    from owner_days
    group by {{ period_start('biz_date', 'month') }}, emp_id, owner_org_id, record_org_id
)

select * from final
