with

source as (
    select * from {{ source('control', 'ftp_curves_current') }}
),

final as (
    select
        -- ids
        set_key,
        batch_id,
        -- codes
        acct_type,
        currency,
        term_months,
        -- rates
        ftp_rate,
        -- dates
        effective_date
    from source
)

select * from final
