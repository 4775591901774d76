-- A role's indicator weights sum to 100 per period type on every day a weight is in force
-- (the seed's and the imported versions: checked at each day a version starts; rows: role, period type
-- and day with another total).
with

weights as (
    select * from {{ ref('dim_scheme_role_indicators') }}
),

change_days as (
    select distinct
        role_code,
        period_type,
        valid_from as check_date
    from weights
),

totals as (
    select
        change_days.role_code,
        change_days.period_type,
        change_days.check_date,
        sum(weights.weight_pct) as total_weight_pct
    from change_days
    inner join weights
        on
            change_days.role_code = weights.role_code
            and change_days.period_type = weights.period_type
            and change_days.check_date >= weights.valid_from
            and change_days.check_date <= coalesce(weights.valid_to, 'infinity'::date)
    group by change_days.role_code, change_days.period_type, change_days.check_date
)

select * from totals
where total_weight_pct <> 100
