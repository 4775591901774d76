with

source as (
    select * from {{ source('control', 'manual_indicator_values_current') }}
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
        -- the value
        value,
        note
    from source
)

select * from final
