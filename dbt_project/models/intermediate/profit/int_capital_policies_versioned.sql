with

policy_defaults as (
    select * from {{ ref('capital_policy_defaults') }}
),

imported_policies as (
    select * from {{ ref('stg_control__capital_policies') }}
),

candidate_policies as (
    select
        effective_date,
        capital_ratio_pct,
        hurdle_rate_pct,
        'CONTROL' as policy_source,
        1 as source_rank
    from imported_policies
    union all
    select
        effective_date,
        capital_ratio_pct,
        hurdle_rate_pct,
        'DEFAULT' as policy_source,
        2 as source_rank
    from policy_defaults
),

policies as (
    -- an imported policy wins over a default of the same date
    select distinct on (effective_date)
        effective_date,
        capital_ratio_pct,
        hurdle_rate_pct,
        policy_source
    from candidate_policies
    order by effective_date, source_rank
),

final as (
    select
        effective_date as valid_from,
        lead(effective_date) over (order by effective_date) - 1 as valid_to,
        capital_ratio_pct,
        hurdle_rate_pct,
        policy_source
    from policies
)

select * from final
