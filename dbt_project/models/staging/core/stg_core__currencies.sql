with

source as (
    select * from {{ source('core', 'fx') }}
),

final as (
    select
        -- codes
        {{ clean_text('currency') }} as currency,
        {{ clean_text('currency_name') }} as currency_name,
        -- rates
        cny_rate,
        dep_day_basis,
        loan_day_basis,
        -- dates
        biz_date,
        load_id
    from source
)

select * from final
