with

source as (
    select * from {{ source('control', 'rediscount_incomes_current') }}
),

final as (
    select
        -- ids
        org_id,
        version_id,
        batch_id,
        -- amounts
        amount_cny,
        -- dates
        month as month_start
    from source
)

select * from final
