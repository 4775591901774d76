{{ config(materialized='view') }}

with

account_days as (
    select * from {{ ref('fct_account_daily') }}
),

accounts as (
    select * from {{ ref('dim_account') }}
),

customers as (
    select * from {{ ref('dim_customer') }}
),

final as (
    select
        account_days.biz_date,
        account_days.maturity_date,
        account_days.maturity_date - account_days.biz_date as days_to_maturity,
        account_days.acct_type,
        account_days.acct_no,
        account_days.sub_acct_no,
        accounts.acct_name,
        account_days.cust_id,
        customers.cust_name,
        account_days.org_id as open_org_id,
        account_days.currency,
        account_days.term_code,
        account_days.product_line,
        account_days.balance,
        account_days.balance_cny,
        account_days.annual_rate
    from account_days
    left join accounts
        on
            account_days.acct_type = accounts.acct_type
            and account_days.acct_no = accounts.acct_no
            and account_days.sub_acct_no = accounts.sub_acct_no
    left join customers
        on account_days.cust_id = customers.cust_id
    where
        account_days.maturity_date >= account_days.biz_date
        and account_days.balance_cny <> 0
)

select * from final
