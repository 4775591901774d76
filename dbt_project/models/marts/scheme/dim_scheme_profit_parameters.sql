{{ config(materialized='view') }}

with

capital_policies as (
    select * from {{ ref('int_capital_policies_versioned') }}
),

eva_parameters as (
    select * from {{ ref('int_eva_parameters_versioned') }}
),

final as (
    select
        -- key
        'CAPITAL_RATIO'::text as parameter_code,
        valid_from::date as valid_from,
        -- the value
        valid_to::date as valid_to,
        capital_ratio_pct::numeric as value_pct,
        (case policy_source when 'CONTROL' then 'CONTROL' else 'SEED' end)::text as version_source
    from capital_policies
    union all
    select
        'HURDLE_RATE'::text as parameter_code,
        valid_from::date as valid_from,
        valid_to::date as valid_to,
        hurdle_rate_pct::numeric as value_pct,
        (case policy_source when 'CONTROL' then 'CONTROL' else 'SEED' end)::text as version_source
    from capital_policies
    union all
    select
        'EVA_PROFIT_DEDUCTION'::text as parameter_code,
        valid_from::date as valid_from,
        valid_to::date as valid_to,
        profit_deduction_pct::numeric as value_pct,
        version_source::text as version_source
    from eva_parameters
)

select * from final
