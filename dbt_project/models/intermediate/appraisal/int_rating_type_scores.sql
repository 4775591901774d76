with

ratings as (
    select * from {{ ref('stg_control__ratings') }}
),

rater_scores as (
    -- each rater's score of a component: the mean of its items
    select
        period,
        period_grain,
        emp_id,
        component,
        rater_type,
        rater_id,
        avg(score) as rater_score
    from ratings
    group by period, period_grain, emp_id, component, rater_type, rater_id
),

final as (
    -- each rater type's score: the mean of its raters (a type that did not rate has no row)
    select
        period,
        period_grain,
        emp_id,
        component,
        rater_type,
        count(*) as rater_count,
        avg(rater_score) as type_score
    from rater_scores
    group by period, period_grain, emp_id, component, rater_type
)

select * from final
