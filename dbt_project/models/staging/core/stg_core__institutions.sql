with

source as (
    select * from {{ source('core', 'org') }}
),

final as (
    select
        -- ids
        {{ clean_text('org_id') }} as org_id,
        {{ clean_text('parent_org_id') }} as parent_org_id,
        -- names and codes
        {{ clean_text('org_name') }} as org_name,
        org_level,
        {{ clean_text('org_type') }} as org_type,
        {{ clean_text('status') }} as status,
        -- dates
        open_date,
        biz_date,
        load_id
    from source
)

select * from final
