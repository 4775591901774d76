with

source as (
    select * from {{ source('control', 'indicator_settings_current') }}
),

final as (
    select
        -- ids
        indicator_code,
        set_key,
        batch_id,
        -- the settings
        is_assessed,
        {{ clean_text('name_zh') }} as name_zh,
        {{ clean_text('name_en') }} as name_en,
        -- dates
        effective_date
    from source
)

select * from final
