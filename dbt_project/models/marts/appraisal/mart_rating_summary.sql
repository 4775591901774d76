{{ config(materialized='view') }}

{#- What a ratee (and its branch head) may see of its 360-degree ratings: per period, component and
    rater type, how many raters were assigned and rated and the type's average - never who gave
    which rating. PEER, SUBORDINATE and CUSTOMER averages of fewer than two raters are withheld
    (null, is_withheld): one rater's average is that rater's rating. -#}

with

type_scores as (
    select * from {{ ref('int_rating_type_scores') }}
),

assignments as (
    select * from {{ ref('stg_control__rating_assignments') }}
),

ratings as (
    select * from {{ ref('stg_control__ratings') }}
),

assigned_counts as (
    select
        period,
        emp_id,
        rater_type,
        count(*) as assigned_raters
    from assignments
    group by period, emp_id, rater_type
),

rated_sheets as (
    -- the raters that rated (any component) per ratee, period and type
    select distinct
        period,
        emp_id,
        rater_type,
        rater_id
    from ratings
),

missing_counts as (
    select
        assignments.period,
        assignments.emp_id,
        assignments.rater_type,
        count(*) as missing_raters
    from assignments
    where
        not exists (
            select 1
            from rated_sheets
            where
                rated_sheets.period = assignments.period
                and rated_sheets.emp_id = assignments.emp_id
                and rated_sheets.rater_type = assignments.rater_type
                and rated_sheets.rater_id = assignments.rater_id
        )
    group by assignments.period, assignments.emp_id, assignments.rater_type
),

final as (
    select
        -- key
        type_scores.period::text as period,
        type_scores.emp_id::text as emp_id,
        type_scores.component::text as component,
        type_scores.rater_type::text as rater_type,
        -- the period
        type_scores.period_grain::text as period_type,
        -- who rated
        type_scores.rater_count::integer as rater_count,
        coalesce(assigned_counts.assigned_raters, 0)::integer as assigned_raters,
        coalesce(missing_counts.missing_raters, 0)::integer as missing_raters,
        -- the type's average
        (type_scores.rater_type in ('PEER', 'SUBORDINATE', 'CUSTOMER') and type_scores.rater_count < 2)::boolean
            as is_withheld,
        (
            case
                when type_scores.rater_type in ('PEER', 'SUBORDINATE', 'CUSTOMER') and type_scores.rater_count < 2
                    then null
                else round(type_scores.type_score, 4)
            end
        )::numeric as type_score
    from type_scores
    left join assigned_counts
        on
            type_scores.period = assigned_counts.period
            and type_scores.emp_id = assigned_counts.emp_id
            and type_scores.rater_type = assigned_counts.rater_type
    left join missing_counts
        on
            type_scores.period = missing_counts.period
            and type_scores.emp_id = missing_counts.emp_id
            and type_scores.rater_type = missing_counts.rater_type
)

select * from final
