with

source as (
    select * from {{ source('control', 'assessment_grades_current') }}
),

final as (
    select
        -- ids
        set_key,
        batch_id,
        -- codes
        grade_method,
        grade,
        sort_order,
        -- limits
        min_total_score,
        max_position_pct,
        -- dates
        effective_date
    from source
)

select * from final
