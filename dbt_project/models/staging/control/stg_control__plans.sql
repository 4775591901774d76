with

source as (
    select * from {{ source('control', 'plans_current') }}
),

final as (
    select
        -- ids
        set_key,
        batch_id,
        indicator_code,
        subject_type,
        {{ clean_text('subject_id') }} as subject_id,
        -- the period
        {{ plan_period_columns('period') }},
        -- the plan
        plan_value
    from source
)

select * from final
