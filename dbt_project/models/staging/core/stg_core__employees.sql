with

source as (
    select * from {{ source('core', 'emp') }}
),

final as (
    select
        -- ids
        {{ clean_text('emp_id') }} as emp_id,
        {{ clean_text('org_id') }} as org_id,
        -- names and codes
        {{ clean_text('emp_name') }} as emp_name,
        {{ clean_text('post_code') }} as post_code,
        {{ clean_text('status') }} as status,
        -- dates
        hire_date,
        {{ open_ended('leave_date') }} as leave_date,
        biz_date,
        load_id
    from source
)

select * from final
