with

source as (
    select * from {{ source('control', 'rater_weights_current') }}
),

final as (
    select
        -- ids
        set_key,
        batch_id,
        role_code,
        rater_type,
        -- the weight
        weight_pct,
        -- dates
        effective_date
    from source
)

select * from final
