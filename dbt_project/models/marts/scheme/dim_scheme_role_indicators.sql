{{ config(materialized='view') }}

with

seed_weights as (
    select * from {{ ref('assessment_role_indicators') }}
),

imported_weights as (
    select * from {{ ref('stg_control__role_indicator_weights') }}
),

default_versions as (
    select
        role_code,
        period_type,
        valid_from as effective_date,
        valid_to as own_valid_to,
        indicator_code,
        weight_pct,
        floor_pct,
        cap_pct
    from seed_weights
),

imported_versions as (
    select
        role_code,
        period_type,
        effective_date,
        null::date as own_valid_to,
        indicator_code,
        weight_pct,
        floor_pct,
        cap_pct
    from imported_weights
),

{{ scheme_versions(
    'imported_versions', 'default_versions', ['role_code', 'period_type'],
    ['indicator_code', 'weight_pct', 'floor_pct', 'cap_pct']
) }},

final as (
    select
        -- key
        role_code::text as role_code,
        period_type::text as period_type,
        indicator_code::text as indicator_code,
        valid_from::date as valid_from,
        -- the weight
        valid_to::date as valid_to,
        weight_pct::numeric as weight_pct,
        floor_pct::numeric as floor_pct,
        cap_pct::numeric as cap_pct,
        version_source::text as version_source
    from versioned_rows
)

select * from final
