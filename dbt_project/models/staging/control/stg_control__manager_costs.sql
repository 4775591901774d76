with

source as (
    select * from {{ source('control', 'manager_costs_current') }}
),

final as (
    select
        -- ids
        emp_id,
        version_id,
        batch_id,
        -- amounts
        base_cost_cny,
        -- rates
        marketing_cost_rate_pct,
        -- dates
        effective_date
    from source
)

select * from final
