with

source as (
    select * from {{ source('core', 'intl') }}
),

final as (
    select
        -- ids
        {{ clean_text('txn_id') }} as txn_id,
        {{ clean_text('org_id') }} as org_id,
        {{ clean_text('cust_id') }} as cust_id,
        {{ clean_text('emp_id') }} as emp_id,
        -- codes
        {{ clean_text('settle_type') }} as settle_type,
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
