with

parameter_defaults as (
    select * from {{ ref('eva_parameter_defaults') }}
),

imported_parameters as (
    select * from {{ ref('stg_control__eva_parameters') }}
),

default_versions as (
    select
        effective_date,
        null::date as own_valid_to,
        profit_deduction_pct
    from parameter_defaults
),

imported_versions as (
    select
        effective_date,
        null::date as own_valid_to,
        profit_deduction_pct
    from imported_parameters
),

{{ scheme_versions('imported_versions', 'default_versions', [], ['profit_deduction_pct']) }},

final as (
    select
        profit_deduction_pct,
        valid_from,
        valid_to,
        version_source
    from versioned_rows
)

select * from final
