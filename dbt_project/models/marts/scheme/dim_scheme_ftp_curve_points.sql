{{ config(materialized='view') }}

with

curve_points as (
    select * from {{ ref('int_ftp_curve_points_versioned') }}
),

final as (
    select
        -- key
        acct_type::text as acct_type,
        currency::text as currency,
        term_months::integer as term_months,
        valid_from::date as valid_from,
        -- the price
        valid_to::date as valid_to,
        ftp_rate::numeric as ftp_rate,
        version_source::text as version_source
    from curve_points
)

select * from final
