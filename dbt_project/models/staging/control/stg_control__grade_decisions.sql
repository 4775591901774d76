with

source as (
    select * from {{ source('control', 'grade_decisions_current') }}
),

final as (
    select
        -- ids
        set_key,
        batch_id,
        subject_type,
        {{ clean_text('subject_id') }} as subject_id,
        -- the period
        {{ plan_period_columns('period', bounds=false) }},
        -- the decision
        decision,
        grade,
        decision_reason
    from source
)

select * from final
