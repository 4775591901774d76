with

source as (
    select * from {{ source('control', 'capital_policies_current') }}
),

final as (
    select
        -- ids
        version_id,
        batch_id,
        -- rates
        capital_ratio_pct,
        hurdle_rate_pct,
        -- dates
        effective_date
    from source
)

select * from final
