{{ config(materialized='view') }}

{#- The public face of `int_account_days_accumulated`, where the account-day history is kept and
    carried from night to night (incremental): every column, in the same order and types. -#}

with

account_days as (
    select * from {{ ref('int_account_days_accumulated') }}
),

final as (
    select
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no,
        org_id,
        cust_id,
        mgr_emp_id,
        currency,
        subject_code,
        product_line,
        customer_segment,
        deposit_class,
        term_code,
        acct_status,
        loan_method,
        five_class,
        is_npl,
        is_small_enterprise,
        is_present,
        balance,
        balance_cny,
        impairment,
        impairment_cny,
        accrued_unpaid_int,
        accrued_unpaid_int_cny,
        int_income,
        int_income_cny,
        cny_rate,
        annual_rate,
        day_basis,
        daily_rate,
        risk_weight,
        open_date,
        maturity_date,
        close_date,
        cum_balance_m,
        avg_balance_m,
        cum_balance_q,
        avg_balance_q,
        cum_balance_y,
        avg_balance_y,
        cum_balance_cny_m,
        avg_balance_cny_m,
        cum_balance_cny_q,
        avg_balance_cny_q,
        cum_balance_cny_y,
        avg_balance_cny_y
    from account_days
)

select * from final
