with

source as (
    select * from {{ source('core', 'rel') }}
    -- the window's snapshots and the one of the day before: the ownership build compares the
    -- REL it applied last time with the one it applies now, to restate relations dated back
    where
        {{ window_filter('biz_date') }}
        or biz_date = {{ window_start('null::date') }} - 1
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
