with

weights as (
    select * from {{ ref('stg_control__rater_weights') }}
),

weight_sets as (
    -- a role's set of weights applies from its date until the day before the role's next set
    select
        role_code,
        effective_date,
        lead(effective_date) over (partition by role_code order by effective_date) - 1 as valid_to
    from (select distinct
        role_code,
        effective_date
    from weights) as set_dates
),

final as (
    select
        weights.role_code,
        weights.rater_type,
        weights.weight_pct,
        weights.effective_date as valid_from,
        weight_sets.valid_to
    from weights
    inner join weight_sets
        on
            weights.role_code = weight_sets.role_code
            and weights.effective_date = weight_sets.effective_date
)

select * from final
