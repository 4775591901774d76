{{ config(materialized='view') }}

with

lines as (
    select * from {{ ref('mart_scorecard_line') }}
),

roles as (
    select * from {{ ref('dim_scheme_roles') }}
),

grades as (
    -- the grading scale in force on each date (seed, then the office's imports; issue 16)
    select * from {{ ref('dim_scheme_grades') }}
),

appraisal_scores as (
    select * from {{ ref('stg_control__appraisal_scores') }}
),

performance as (
    select
        biz_date,
        period_type,
        subject_type,
        subject_id,
        subject_name,
        parent_org_id,
        role_code,
        sum(weighted_score) as indicator_score,
        count(*) as indicator_count,
        count(*) filter (where completion_pct is null) as indicators_without_plan,
        case period_type
            when 'YEAR' then to_char(biz_date, 'YYYY')
            when 'QUARTER' then to_char(biz_date, 'YYYY"Q"Q')
            else to_char(biz_date, 'YYYY-MM')
        end as period
    from lines
    group by biz_date, period_type, subject_type, subject_id, subject_name, parent_org_id, role_code
),

appraisal_parts as (
    select
        subject_type,
        subject_id,
        period,
        sum(score) filter (where component = 'MANUAL') as manual_points,
        avg(score) filter (where component = 'ABILITY') as ability_score,
        avg(score) filter (where component = 'ATTITUDE') as attitude_score
    from appraisal_scores
    group by subject_type, subject_id, period
),

totals as (
    select
        performance.*,
        coalesce(appraisal_parts.manual_points, 0) as manual_points,
        performance.indicator_score + coalesce(appraisal_parts.manual_points, 0) as performance_score,
        appraisal_parts.ability_score,
        appraisal_parts.attitude_score,
        roles.performance_weight_pct,
        roles.ability_weight_pct,
        roles.attitude_weight_pct,
        roles.grade_method,
        round(
            (performance.indicator_score + coalesce(appraisal_parts.manual_points, 0))
            * roles.performance_weight_pct / 100
            + coalesce(appraisal_parts.ability_score, 0) * roles.ability_weight_pct / 100
            + coalesce(appraisal_parts.attitude_score, 0) * roles.attitude_weight_pct / 100,
            4
        ) as total_score
    from performance
    inner join roles
        on
            performance.role_code = roles.role_code
            and performance.biz_date >= roles.valid_from
            and performance.biz_date <= coalesce(roles.valid_to, 'infinity'::date)
    left join appraisal_parts
        on
            performance.subject_type = appraisal_parts.subject_type
            and performance.subject_id = appraisal_parts.subject_id
            and performance.period = appraisal_parts.period
),

ranked as (
    -- ties share a rank and the next is skipped (1, 1, 3)
    select
        *,
        rank() over (partition by biz_date, period_type, role_code order by total_score desc) as rank_in_bank,
        count(*) over (partition by biz_date, period_type, role_code) as peers_in_bank,
        rank() over (
            partition by biz_date, period_type, role_code, parent_org_id order by total_score desc
        ) as rank_in_institution,
        count(*) over (partition by biz_date, period_type, role_code, parent_org_id) as peers_in_institution
    from totals
),

final as (
    select
        -- key
        ranked.biz_date::date as biz_date,
        ranked.period_type::text as period_type,
        ranked.subject_type::text as subject_type,
        ranked.subject_id::text as subject_id,
        -- who
        ranked.period::text as period,
        ranked.subject_name::text as subject_name,
        ranked.parent_org_id::text as parent_org_id,
        ranked.role_code::text as role_code,
        -- the parts
        ranked.indicator_count::integer as indicator_count,
        ranked.indicators_without_plan::integer as indicators_without_plan,
        ranked.indicator_score::numeric as indicator_score,
        ranked.manual_points::numeric as manual_points,
        ranked.performance_score::numeric as performance_score,
        ranked.ability_score::numeric as ability_score,
        ranked.attitude_score::numeric as attitude_score,
        ranked.performance_weight_pct::numeric as performance_weight_pct,
        ranked.ability_weight_pct::numeric as ability_weight_pct,
        ranked.attitude_weight_pct::numeric as attitude_weight_pct,
        -- the result
        ranked.total_score::numeric as total_score,
        ranked.rank_in_bank::integer as rank_in_bank,
        ranked.peers_in_bank::integer as peers_in_bank,
        ranked.rank_in_institution::integer as rank_in_institution,
        ranked.peers_in_institution::integer as peers_in_institution,
        ranked.grade_method::text as grade_method,
        chosen_grades.grade::text as grade
    from ranked
    left join lateral (
        select grades.grade
        from grades
        where
            grades.grade_method = ranked.grade_method
            and ranked.biz_date >= grades.valid_from
            and ranked.biz_date <= coalesce(grades.valid_to, 'infinity'::date)
            and (
                (
                    ranked.grade_method = 'THRESHOLD'
                    and (grades.min_total_score is null or ranked.total_score >= grades.min_total_score)
                )
                or (
                    ranked.grade_method = 'FORCED'
                    and 100.0 * ranked.rank_in_bank / ranked.peers_in_bank <= grades.max_position_pct
                )
            )
        order by grades.sort_order
        limit 1
    ) as chosen_grades on true
)

select * from final
