{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['acct_type', 'acct_no', 'sub_acct_no'],
    )
}}

with

account_snapshots as (
    select * from {{ ref('int_account_balances_converted') }}
),

{{ latest_states(
    snapshots='account_snapshots',
    key_columns=['acct_type', 'acct_no', 'sub_acct_no'],
    attribute_columns=[
        'org_id', 'cust_id', 'mgr_emp_id', 'contract_no', 'acct_name', 'currency', 'subject_code',
        'product_line', 'customer_segment', 'deposit_class', 'is_loan', 'term_code', 'term_months',
        'acct_status', 'loan_method', 'is_pledged', 'is_small_enterprise', 'annual_rate',
        'open_date', 'value_date', 'maturity_date', 'close_date',
    ],
) }},

final as (
    select
        -- key
        acct_type::text as acct_type,
        acct_no::text as acct_no,
        sub_acct_no::text as sub_acct_no,
        -- ids
        org_id::text as org_id,
        cust_id::text as cust_id,
        mgr_emp_id::text as mgr_emp_id,
        contract_no::text as contract_no,
        -- names and codes
        acct_name::text as acct_name,
        currency::text as currency,
        subject_code::text as subject_code,
        product_line::text as product_line,
        customer_segment::text as customer_segment,
        deposit_class::text as deposit_class,
        is_loan::boolean as is_loan,
        term_code::text as term_code,
        term_months::integer as term_months,
        acct_status::text as acct_status,
        loan_method::text as loan_method,
        is_pledged::boolean as is_pledged,
        is_small_enterprise::boolean as is_small_enterprise,
        -- rates
        annual_rate::numeric(14, 6) as annual_rate,
        -- dates
        open_date::date as open_date,
        value_date::date as value_date,
        maturity_date::date as maturity_date,
        close_date::date as close_date,
        first_seen_date::date as first_seen_date,
        last_seen_date::date as last_seen_date
    from latest_states
)

select * from final
