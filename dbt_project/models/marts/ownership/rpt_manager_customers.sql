{{ config(materialized='view') }}

{#- 客户情况: each manager's customers, one row per business date × owner × customer the owner holds
    that day or held at the previous month-end: the allocated deposit and loan balances that day and
    at the end of the previous month. A view over the narrow fct_manager_customer_daily: a query of
    a date (and a manager) reads that date's and its previous month-end's rows only. -#}

with

calendar as (
    select * from {{ ref('dim_date') }}
),

manager_customers as (
    select * from {{ ref('fct_manager_customer_daily') }}
),

customers as (
    select * from {{ ref('dim_customer') }}
),

report_days as (
    -- the dates the fact holds, each with the month-end it compares with
    select
        calendar.biz_date,
        calendar.month_start_date - 1 as month_end_date
    from calendar
    where exists (
        select 1 from {{ ref('fct_manager_customer_daily') }} as built_days
        where built_days.biz_date = calendar.biz_date
    )
),

compared as (
    select
        report_days.biz_date,
        manager_customers.emp_id,
        manager_customers.cust_id,
        coalesce(sum(manager_customers.deposit_balance_cny) filter (
            where manager_customers.biz_date = report_days.biz_date
        ), 0) as deposit_balance_cny,
        coalesce(sum(manager_customers.deposit_balance_cny) filter (
            where manager_customers.biz_date = report_days.month_end_date
        ), 0) as deposit_balance_cny_last_month_end,
        coalesce(sum(manager_customers.loan_balance_cny) filter (
            where manager_customers.biz_date = report_days.biz_date
        ), 0) as loan_balance_cny,
        coalesce(sum(manager_customers.loan_balance_cny) filter (
            where manager_customers.biz_date = report_days.month_end_date
        ), 0) as loan_balance_cny_last_month_end
    from report_days
    inner join manager_customers
        on manager_customers.biz_date = any(array[report_days.biz_date, report_days.month_end_date])
    group by report_days.biz_date, manager_customers.emp_id, manager_customers.cust_id
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
