with

source as (
    select * from {{ source('core', 'loan') }}
),

final as (
    select
        -- ids
        {{ clean_text('acct_no') }} as acct_no,
        {{ clean_text('sub_acct_no') }} as sub_acct_no,
        {{ clean_text('org_id') }} as org_id,
        {{ clean_text('cust_id') }} as cust_id,
        {{ clean_text('mgr_emp_id') }} as mgr_emp_id,
        {{ clean_text('contract_no') }} as contract_no,
        -- names and codes
        {{ clean_text('acct_name') }} as acct_name,
        {{ clean_text('currency') }} as currency,
        {{ clean_text('subject_code') }} as subject_code,
        {{ clean_text('acct_status') }} as acct_status,
        {{ clean_text('term_code') }} as term_code,
        {{ clean_text('loan_method') }} as loan_method,
        five_class,
        small_ent_flag as is_small_enterprise,
        -- amounts
        balance,
        impairment,
        accrued_unpaid_int,
        int_income,
        -- rates
        annual_rate,
        risk_weight,
        -- dates
        open_date,
        value_date,
        {{ open_ended('maturity_date') }} as maturity_date,
        {{ open_ended('close_date') }} as close_date,
        biz_date,
        load_id
    from source
)

select * from final
