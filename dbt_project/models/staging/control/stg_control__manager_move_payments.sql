with

source as (
    select * from {{ source('control', 'manager_move_payments_current') }}
),

final as (
    select
        -- ids
        {{ clean_text('emp_id') }} as emp_id,
        set_key,
        batch_id,
        -- rates
        payment_rate_pct,
        -- text
        note,
        -- dates
        transfer_date
    from source
)

select * from final
