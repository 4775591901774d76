with

source as (
    select * from {{ source('control', 'ftp_adjustments_current') }}
),

final as (
    select
        -- ids
        org_id,
        version_id,
        batch_id,
        -- codes
        acct_type,
        product_line,
        -- rates
        adjustment_bps,
        -- dates
        effective_date
    from source
)

select * from final
