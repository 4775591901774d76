{{ config(materialized='view') }}

{#- Results per subject and period: a closed period's from the store (every version, labelled),
    an open period's from the live scorecard (each day, to date). -#}
with

closes as (
    select * from {{ ref('mart_appraisal_closes') }}
),

closed_results as (
    select * from {{ ref('stg_appraisal__closed_results') }}
),

live_results as (
    select * from {{ ref('mart_scorecard') }}
),

closes_in_force as (
    select * from {{ ref('mart_appraisal_closes') }}
    where is_in_force
),

stored as (
    select
        closes.biz_date,
        closes.period_type,
        closed_results.subject_type,
        closed_results.subject_id,
        closes.period,
        closes.close_status as result_status,
        closes.is_in_force,
        closes.close_id,
        closes.close_version,
        closes.closed_at,
        closed_results.subject_name,
        closed_results.parent_org_id,
        closed_results.role_code,
        closed_results.indicator_count,
        closed_results.indicators_without_plan,
        closed_results.indicator_score,
        closed_results.manual_points,
        closed_results.performance_score,
        closed_results.ability_score,
        closed_results.attitude_score,
        closed_results.performance_weight_pct,
        closed_results.ability_weight_pct,
        closed_results.attitude_weight_pct,
        closed_results.total_score,
        closed_results.rank_in_bank,
        closed_results.peers_in_bank,
        closed_results.rank_in_institution,
        closed_results.peers_in_institution,
        closed_results.grade_method,
        closed_results.grade_basis,
        closed_results.computed_grade,
        closed_results.grade,
        closed_results.grade_status,
        closed_results.grade_decision_reason
    from closed_results
    inner join closes
        on closed_results.close_id = closes.close_id
),

live as (
    -- open periods: a period without a close in force (never closed, or reopened)
    select
        live_results.biz_date,
        live_results.period_type,
        live_results.subject_type,
        live_results.subject_id,
        live_results.period,
        'OPEN' as result_status,
        true as is_in_force,
        null::bigint as close_id,
        null::integer as close_version,
        null::timestamptz as closed_at,
        live_results.subject_name,
        live_results.parent_org_id,
        live_results.role_code,
        live_results.indicator_count,
        live_results.indicators_without_plan,
        live_results.indicator_score,
        live_results.manual_points,
        live_results.performance_score,
        live_results.ability_score,
        live_results.attitude_score,
        live_results.performance_weight_pct,
        live_results.ability_weight_pct,
        live_results.attitude_weight_pct,
        live_results.total_score,
        live_results.rank_in_bank,
        live_results.peers_in_bank,
        live_results.rank_in_institution,
        live_results.peers_in_institution,
        live_results.grade_method,
        live_results.grade_basis,
        live_results.computed_grade,
        live_results.grade,
        live_results.grade_status,
        live_results.grade_decision_reason
    from live_results
    where not exists (
        select 1
        from closes_in_force
        where
            closes_in_force.period = live_results.period
            and closes_in_force.period_type = live_results.period_type
    )
),

unioned as (
    select * from stored
    union all
    select * from live
),

final as (
    select
        -- key
        biz_date::date as biz_date,
        period_type::text as period_type,
        subject_type::text as subject_type,
        subject_id::text as subject_id,
        period::text as period,
        -- where the row comes from
        result_status::text as result_status,
        is_in_force::boolean as is_in_force,
        close_id::bigint as close_id,
        close_version::integer as close_version,
        closed_at::timestamptz as closed_at,
        -- who
        subject_name::text as subject_name,
        parent_org_id::text as parent_org_id,
        role_code::text as role_code,
        -- the parts
        indicator_count::integer as indicator_count,
        indicators_without_plan::integer as indicators_without_plan,
        indicator_score::numeric as indicator_score,
        manual_points::numeric as manual_points,
        performance_score::numeric as performance_score,
        ability_score::numeric as ability_score,
        attitude_score::numeric as attitude_score,
        performance_weight_pct::numeric as performance_weight_pct,
        ability_weight_pct::numeric as ability_weight_pct,
        attitude_weight_pct::numeric as attitude_weight_pct,
        -- the result
        total_score::numeric as total_score,
        rank_in_bank::integer as rank_in_bank,
        peers_in_bank::integer as peers_in_bank,
        rank_in_institution::integer as rank_in_institution,
        peers_in_institution::integer as peers_in_institution,
        grade_method::text as grade_method,
        grade_basis::text as grade_basis,
        computed_grade::text as computed_grade,
        grade::text as grade,
        grade_status::text as grade_status,
        grade_decision_reason::text as grade_decision_reason
    from unioned
)

select * from final
