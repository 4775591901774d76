with

seed_points as (
    select * from {{ ref('ftp_curve') }}
),

imported_points as (
    select * from {{ ref('stg_control__ftp_curves') }}
),

default_curves as (
    select
        acct_type,
        currency,
        effective_date,
        null::date as own_valid_to,
        term_months,
        ftp_rate
    from seed_points
),

imported_curves as (
    select
        acct_type,
        currency,
        effective_date,
        null::date as own_valid_to,
        term_months,
        ftp_rate
    from imported_points
),

{{ scheme_versions('imported_curves', 'default_curves', ['acct_type', 'currency'], ['term_months', 'ftp_rate']) }},

final as (
    select
        acct_type,
        currency,
        term_months,
        ftp_rate,
        valid_from,
        valid_to,
        version_source
    from versioned_rows
)

select * from final
