with

source as (
    select * from {{ source('control', 'assessment_roles_current') }}
),

final as (
    select
        -- ids
        role_code,
        set_key,
        batch_id,
        -- codes
        subject_type,
        match_kinds,
        evaluated_on,
        caliber,
        grade_method,
        -- names
        {{ clean_text('name_zh') }} as name_zh,
        {{ clean_text('name_en') }} as name_en,
        -- weights
        performance_weight_pct,
        ability_weight_pct,
        attitude_weight_pct,
        -- dates
        effective_date
    from source
)

select * from final
