with

source as (
    select * from {{ source('control', 'eva_parameters_current') }}
),

final as (
    select
        -- ids
        set_key,
        batch_id,
        -- rates
        profit_deduction_pct,
        -- dates
        effective_date
    from source
)

select * from final
