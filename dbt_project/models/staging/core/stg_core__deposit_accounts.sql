with

source as (
    select * from {{ source('core', 'dep') }}
),

final as (
    select
        -- ids
        {{ clean_text('acct_no') }} as acct_no,
        {{ clean_text('sub_acct_no') }} as sub_acct_no,
        {{ clean_text('org_id') }} as org_id,
        {{ clean_text('cust_id') }} as cust_id,
        {{ clean_text('mgr_emp_id') }} as mgr_emp_id,
        -- names and codes
        {{ clean_text('acct_name') }} as acct_name,
        {{ clean_text('currency') }} as currency,
        {{ clean_text('subject_code') }} as subject_code,
        {{ clean_text('acct_status') }} as acct_status,
        {{ clean_text('term_code') }} as term_code,
        {{ clean_text('deposit_class') }} as deposit_class,
        pledge_flag as is_pledged,
        -- amounts
        balance,
        -- rates
        annual_rate,
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
