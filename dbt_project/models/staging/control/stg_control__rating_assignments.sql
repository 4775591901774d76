with

source as (
    select * from {{ source('control', 'rating_assignments_current') }}
),

final as (
    select
        -- ids
        set_key,
        batch_id,
        {{ clean_text('emp_id') }} as emp_id,
        rater_type,
        {{ clean_text('rater_id') }} as rater_id,
        -- the period
        {{ plan_period_columns('period', bounds=false) }}
    from source
)

select * from final
