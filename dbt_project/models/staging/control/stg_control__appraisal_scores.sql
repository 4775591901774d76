with

source as (
    select * from {{ source('control', 'appraisal_scores_current') }}
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
        -- the score
        component,
        item_code,
        score,
        note
    from source
)

select * from final
