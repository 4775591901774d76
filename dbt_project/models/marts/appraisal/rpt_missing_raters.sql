{{ config(materialized='view') }}

{#- Who has not rated whom: every assigned rater (rating_assignment) without a rating sheet for
    the ratee and period (rating). Missing raters are reported, not counted as zero: the ratee's
    score is the weighted mean of the types that rated (see mart_scorecard). -#}

with

assignments as (
    select * from {{ ref('stg_control__rating_assignments') }}
),

ratings as (
    select * from {{ ref('stg_control__ratings') }}
),

final as (
    select
        -- key
        assignments.period::text as period,
        assignments.emp_id::text as emp_id,
        assignments.rater_type::text as rater_type,
        assignments.rater_id::text as rater_id,
        -- the assignment
        assignments.period_grain::text as period_type,
        assignments.batch_id::bigint as assignment_batch_id
    from assignments
    where not exists (
        select 1
        from ratings
        where
            ratings.period = assignments.period
            and ratings.emp_id = assignments.emp_id
            and ratings.rater_type = assignments.rater_type
            and ratings.rater_id = assignments.rater_id
    )
)

select * from final
