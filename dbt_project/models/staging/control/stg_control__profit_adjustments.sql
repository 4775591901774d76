with

source as (
    select * from {{ source('control', 'profit_adjustments_current') }}
),

final as (
    select
        -- ids
        set_key,
        batch_id,
        subject_type,
        {{ clean_text('subject_id') }} as subject_id,
        item_code,
        -- amounts
        amount_cny,
        -- text
        note,
        -- dates
        month as month_start
    from source
)

select * from final
