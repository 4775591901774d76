{{ config(materialized='view') }}

with

closes as (
    select * from {{ ref('mart_appraisal_closes') }}
),

closed_lines as (
    select * from {{ ref('stg_appraisal__closed_scorecard_lines') }}
),

final as (
    select
        -- key
        closes.biz_date::date as biz_date,
        closes.period_type::text as period_type,
        closed_lines.subject_type::text as subject_type,
        closed_lines.subject_id::text as subject_id,
        closed_lines.indicator_code::text as indicator_code,
        closes.close_id::bigint as close_id,
        -- the close
        closes.period::text as period,
        closes.close_version::integer as close_version,
        closes.close_status::text as close_status,
        closes.is_in_force::boolean as is_in_force,
        -- the line as closed
        closed_lines.subject_name::text as subject_name,
        closed_lines.parent_org_id::text as parent_org_id,
        closed_lines.role_code::text as role_code,
        closed_lines.evaluated_subject::text as evaluated_subject,
        closed_lines.caliber::text as caliber,
        closed_lines.value::numeric as value,
        closed_lines.plan_value::numeric as plan_value,
        closed_lines.completion_pct::numeric as completion_pct,
        closed_lines.weight_pct::numeric as weight_pct,
        closed_lines.floor_pct::numeric as floor_pct,
        closed_lines.cap_pct::numeric as cap_pct,
        closed_lines.score_pct::numeric as score_pct,
        closed_lines.weighted_score::numeric as weighted_score
    from closed_lines
    inner join closes
        on closed_lines.close_id = closes.close_id
)

select * from final
