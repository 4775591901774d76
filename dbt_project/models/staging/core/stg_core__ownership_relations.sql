with

source as (
    select * from {{ source('core', 'rel') }}
),

final as (
    select
        -- ids
        {{ clean_text('acct_no') }} as acct_no,
        {{ clean_text('sub_acct_no') }} as sub_acct_no,
        {{ clean_text('emp_id') }} as emp_id,
        -- codes
        {{ clean_text('acct_type') }} as acct_type,
        -- amounts
        share_pct,
        -- dates
        start_date,
        {{ open_ended('end_date') }} as end_date,
        biz_date,
        load_id
    from source
)

select * from final
