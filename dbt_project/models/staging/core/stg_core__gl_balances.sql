with

source as (
    select * from {{ source('core', 'gl') }}
),

final as (
    select
        -- ids
        {{ clean_text('org_id') }} as org_id,
        -- codes
        {{ clean_text('subject_code') }} as subject_code,
        {{ clean_text('currency') }} as currency,
        {{ clean_text('dr_cr') }} as dr_cr,
        -- amounts
        balance,
        -- dates
        biz_date,
        load_id
    from source
)

select * from final
