with

source as (
    select * from {{ source('control', 'role_indicator_weights_current') }}
),

final as (
    select
        -- ids
        role_code,
        indicator_code,
        set_key,
        batch_id,
        -- codes
        period_type,
        -- weights
        weight_pct,
        floor_pct,
        cap_pct,
        -- dates
        effective_date
    from source
)

select * from final
