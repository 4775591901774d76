{{ config(materialized='view') }}

with

owner_months as (
    select * from {{ ref('mart_profit_owner_monthly') }}
),

discount_profits as (
    select * from {{ ref('fct_discount_profit_monthly') }}
),

manager_costs as (
    select * from {{ ref('stg_control__manager_costs') }}
),

profit_adjustments as (
    -- manual profit adjustments of managers (spec 2.3(5); management input profit_adjustment)
    select * from {{ ref('stg_control__profit_adjustments') }}
    where subject_type = 'EMP'
),

employee_amounts as (
    select
        month_start,
        emp_id,
        deposit_profit_cny,
        loan_profit_cny,
        0 as discount_profit_cny,
        fee_income_cny,
        0 as manual_adjustment_cny,
        through_date
    from owner_months
    union all
    select
        month_start,
        emp_id,
        0 as deposit_profit_cny,
        0 as loan_profit_cny,
        discount_profit_cny,
        0 as fee_income_cny,
        0 as manual_adjustment_cny,
        null::date as through_date
    from discount_profits
    union all
    select
        month_start,
        subject_id as emp_id,
        0 as deposit_profit_cny,
        0 as loan_profit_cny,
        0 as discount_profit_cny,
        0 as fee_income_cny,
        amount_cny as manual_adjustment_cny,
        null::date as through_date
    from profit_adjustments
),

employee_months as (
    select
        month_start,
        emp_id,
        max(through_date) as through_date,
        sum(deposit_profit_cny) as deposit_profit_cny,
        sum(loan_profit_cny) as loan_profit_cny,
        sum(discount_profit_cny) as discount_profit_cny,
        sum(fee_income_cny) as fee_income_cny,
        sum(manual_adjustment_cny) as manual_adjustment_cny,
        sum(deposit_profit_cny + loan_profit_cny + discount_profit_cny + fee_income_cny) as gross_profit_cny
    from employee_amounts
    group by month_start, emp_id
),

costed_months as (
    -- the cost row in force for the month: the latest from a month on or before it
    select distinct on (employee_months.month_start, employee_months.emp_id)
        employee_months.*,
        coalesce(manager_costs.base_cost_cny, 0) as base_cost_cny,
        coalesce(manager_costs.marketing_cost_rate_pct, 0) as marketing_cost_rate_pct
    from employee_months
    left join manager_costs
        on
            employee_months.emp_id = manager_costs.emp_id
            and employee_months.month_start >= manager_costs.effective_date
    order by
        employee_months.month_start asc, employee_months.emp_id asc, manager_costs.effective_date desc nulls last
),

final as (
    select
        -- key
        month_start::date as month_start,
        emp_id::text as emp_id,
        through_date::date as through_date,
        -- profit, CNY (month to date)
        deposit_profit_cny::numeric(24, 2) as deposit_profit_cny,
        loan_profit_cny::numeric(24, 2) as loan_profit_cny,
        discount_profit_cny::numeric(24, 2) as discount_profit_cny,
        fee_income_cny::numeric(24, 2) as fee_income_cny,
        gross_profit_cny::numeric(24, 2) as gross_profit_cny,
        -- cost
        base_cost_cny::numeric(20, 2) as base_cost_cny,
        marketing_cost_rate_pct::numeric(9, 4) as marketing_cost_rate_pct,
        round(greatest(gross_profit_cny, 0) * marketing_cost_rate_pct / 100, 2)::numeric(20, 2)
            as marketing_cost_cny,
        (base_cost_cny + round(greatest(gross_profit_cny, 0) * marketing_cost_rate_pct / 100, 2))::numeric(20, 2)
            as allocated_cost_cny,
        manual_adjustment_cny::numeric(20, 2) as manual_adjustment_cny,
        (
            gross_profit_cny - base_cost_cny - round(greatest(gross_profit_cny, 0) * marketing_cost_rate_pct / 100, 2)
            + manual_adjustment_cny
        )::numeric(24, 2) as employee_profit_cny
    from costed_months
)

select * from final
