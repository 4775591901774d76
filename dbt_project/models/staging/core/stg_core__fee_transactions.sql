with

source as (
    select * from {{ source('core', 'fee') }}
),

final as (
    select
        -- ids
        {{ clean_text('txn_id') }} as txn_id,
        {{ clean_text('org_id') }} as org_id,
        {{ clean_text('cust_id') }} as cust_id,
        {{ clean_text('acct_no') }} as acct_no,
        {{ clean_text('sub_acct_no') }} as sub_acct_no,
        {{ clean_text('emp_id') }} as emp_id,
        -- codes
        {{ clean_text('biz_line') }} as biz_line,
        {{ clean_text('fee_code') }} as fee_code,
        {{ clean_text('currency') }} as currency,
        -- amounts
        amount,
        -- dates
        txn_date,
        biz_date,
        load_id
    from source
)

select * from final
