with

source as (
    select * from {{ source('core', 'card') }}
),

final as (
    select
        -- ids
        {{ clean_text('card_no') }} as card_no,
        {{ clean_text('org_id') }} as org_id,
        {{ clean_text('cust_id') }} as cust_id,
        {{ clean_text('acct_no') }} as acct_no,
        {{ clean_text('emp_id') }} as emp_id,
        -- codes
        {{ clean_text('card_type') }} as card_type,
        {{ clean_text('card_status') }} as card_status,
        -- dates
        issue_date,
        activate_date,
        {{ open_ended('cancel_date') }} as cancel_date,
        biz_date,
        load_id
    from source
)

select * from final
