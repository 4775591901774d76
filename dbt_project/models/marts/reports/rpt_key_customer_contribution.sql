{#- tagged daily: dim_key_customers (marts/accounts, daily) is rebuilt by a night's build, and rebuilding a
    view drops the views over it -#}
{{ config(materialized='view', tags=['daily']) }}

with

customer_days as (
    select * from {{ ref('fct_customer_daily') }}
),

key_customers as (
    select * from {{ ref('dim_key_customers') }}
),

institutions as (
    select * from {{ ref('dim_institution') }}
),

key_customer_days as (
    -- key customers that day (the classification in force), not customers of a head-office corporate
    -- department (opened there): those are the department's own, assessed like a branch's
    select
        customer_days.*,
        key_customers.key_class
    from customer_days
    inner join key_customers
        on
            customer_days.cust_id = key_customers.cust_id
            and customer_days.biz_date >= key_customers.valid_from
            and customer_days.biz_date <= coalesce(key_customers.valid_to, 'infinity'::date)
    left join institutions
        on
            customer_days.open_org_id = institutions.org_id
            and customer_days.biz_date >= institutions.valid_from
            and customer_days.biz_date <= coalesce(institutions.valid_to, 'infinity'::date)
    where coalesce(institutions.org_type, '') <> 'CD'
),

final as (
    select
        -- key
        biz_date::date as biz_date,
        cust_id::text as cust_id,
        -- the customer
        cust_name::text as cust_name,
        key_class::text as key_class,
        customer_segment::text as customer_segment,
        open_org_id::text as open_org_id,
        -- balances and contribution
        deposit_balance_cny::numeric(22, 2) as deposit_balance_cny,
        deposit_avg_balance_cny_y::numeric(26, 6) as deposit_avg_balance_cny_y,
        loan_balance_cny::numeric(22, 2) as loan_balance_cny,
        loan_avg_balance_cny_y::numeric(26, 6) as loan_avg_balance_cny_y,
        deposit_profit_cny_y::numeric(24, 2) as deposit_profit_cny_y,
        loan_profit_cny_y::numeric(24, 2) as loan_profit_cny_y,
        fee_income_cny_y::numeric(24, 2) as fee_income_cny_y,
        (deposit_profit_cny_y + loan_profit_cny_y + fee_income_cny_y)::numeric as contribution_cny_y,
        rank() over (
            partition by biz_date order by deposit_profit_cny_y + loan_profit_cny_y + fee_income_cny_y desc
        )::bigint as contribution_rank
    from key_customer_days
)

select * from final
