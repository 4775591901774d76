with

adjustments as (
    select * from {{ ref('stg_control__ftp_adjustments') }}
),

final as (
    -- an institution's adjustment for a type and product line applies from its date until the
    -- next one of the same institution, type and product line
    select
        org_id,
        acct_type,
        product_line,
        adjustment_bps,
        effective_date as valid_from,
        lead(effective_date) over (
            partition by org_id, acct_type, product_line order by effective_date
        ) - 1 as valid_to,
        version_id
    from adjustments
)

select * from final
