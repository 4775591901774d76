with

source as (
    select * from {{ source('control', 'key_customers_current') }}
),

final as (
    select
        -- ids
        {{ clean_text('cust_id') }} as cust_id,
        set_key,
        batch_id,
        -- codes
        key_class,
        -- text
        note,
        -- dates
        effective_date,
        end_date
    from source
)

select * from final
