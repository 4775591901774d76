{{ config(materialized='view') }}

with

customer_days as (
    select * from {{ ref('fct_customer_daily') }}
),

final as (
    select
        biz_date,
        cust_id,
        cust_name,
        customer_segment,
        open_org_id,
        deposit_balance_cny,
        deposit_avg_balance_cny_y,
        loan_balance_cny,
        loan_avg_balance_cny_y,
        deposit_profit_cny_y,
        loan_profit_cny_y,
        fee_income_cny_y,
        deposit_profit_cny_y + loan_profit_cny_y + fee_income_cny_y as contribution_cny_y,
        rank() over (
            partition by biz_date order by deposit_profit_cny_y + loan_profit_cny_y + fee_income_cny_y desc
        ) as contribution_rank
    from customer_days
)

select * from final
