with

source as (
    select * from {{ source('core', 'ftp') }}
),

final as (
    select
        -- ids
        {{ clean_text('acct_no') }} as acct_no,
        {{ clean_text('sub_acct_no') }} as sub_acct_no,
        -- codes
        {{ clean_text('acct_type') }} as acct_type,
        -- rates
        ftp_rate,
        -- dates
        effective_date,
        biz_date,
        load_id
    from source
)

select * from final
