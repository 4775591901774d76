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

rating_type_scores as (
    select * from {{ ref('int_rating_type_scores') }}
),

rater_weights as (
    select * from {{ ref('int_rater_weights_versioned') }}
),

grade_quotas as (
    select * from {{ ref('int_grade_quotas_versioned') }}
),

grade_decisions as (
    select * from {{ ref('stg_control__grade_decisions') }}
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
        coalesce(rated_parts.ability_score, appraisal_parts.ability_score) as ability_score,
        coalesce(rated_parts.attitude_score, appraisal_parts.attitude_score) as attitude_score,
        case
            when rated_parts.ability_score is not null then 'RATINGS'
            when appraisal_parts.ability_score is not null then 'SCORES'
        end as ability_source,
        case
            when rated_parts.attitude_score is not null then 'RATINGS'
            when appraisal_parts.attitude_score is not null then 'SCORES'
        end as attitude_source,
        roles.performance_weight_pct,
        roles.ability_weight_pct,
        roles.attitude_weight_pct,
        roles.grade_method,
        round(
            (performance.indicator_score + coalesce(appraisal_parts.manual_points, 0))
            * roles.performance_weight_pct / 100
            + coalesce(rated_parts.ability_score, appraisal_parts.ability_score, 0) * roles.ability_weight_pct / 100
            + coalesce(rated_parts.attitude_score, appraisal_parts.attitude_score, 0) * roles.attitude_weight_pct / 100,
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
    -- 360-degree ratings: each rater type's score weighted by the role's rater-type weights in force,
    -- renormalised over the types that rated (a missing type is not a zero; without weights for the
    -- role every type that rated counts equally); a lookup per row, so only the row's ratings are read
    left join lateral (
        select
            sum(rating_type_scores.type_score * type_weights.weight_pct)
            filter (where rating_type_scores.component = 'ABILITY')
            / nullif(sum(type_weights.weight_pct) filter (where rating_type_scores.component = 'ABILITY'), 0)
                as ability_score,
            sum(rating_type_scores.type_score * type_weights.weight_pct)
            filter (where rating_type_scores.component = 'ATTITUDE')
            / nullif(sum(type_weights.weight_pct) filter (where rating_type_scores.component = 'ATTITUDE'), 0)
                as attitude_score
        from rating_type_scores
        cross join
            lateral (
                select
                    case
                        when
                            exists (
                                select 1
                                from rater_weights
                                where
                                    rater_weights.role_code = performance.role_code
                                    and performance.biz_date >= rater_weights.valid_from
                                    and performance.biz_date <= coalesce(rater_weights.valid_to, 'infinity'::date)
                            )
                            then coalesce((
                                select rater_weights.weight_pct
                                from rater_weights
                                where
                                    rater_weights.role_code = performance.role_code
                                    and rater_weights.rater_type = rating_type_scores.rater_type
                                    and performance.biz_date >= rater_weights.valid_from
                                    and performance.biz_date <= coalesce(rater_weights.valid_to, 'infinity'::date)
                            ), 0)
                        else 1
                    end as weight_pct
            ) as type_weights
        where
            performance.subject_type = 'EMP'
            and rating_type_scores.emp_id = performance.subject_id
            and rating_type_scores.period = performance.period
    ) as rated_parts on true
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
        round(ranked.ability_score, 4)::numeric as ability_score,
        round(ranked.attitude_score, 4)::numeric as attitude_score,
        ranked.ability_source::text as ability_source,
        ranked.attitude_source::text as attitude_source,
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
        -- the grade: by the institution's quotas where the office set them, else by the role's method;
        -- then the office's decision (confirmed or overridden, with its reason)
        (case when quota_grades.grade is not null then 'QUOTA' else ranked.grade_method end)::text
            as grade_basis,
        coalesce(quota_grades.grade, chosen_grades.grade)::text as computed_grade,
        coalesce(decisions.grade, quota_grades.grade, chosen_grades.grade)::text as grade,
        (
            case decisions.decision
                when 'CONFIRM' then 'CONFIRMED' when 'OVERRIDE' then 'OVERRIDDEN' else 'PROPOSED'
            end
        )::text
            as grade_status,
        decisions.decision_reason::text as grade_decision_reason,
        decisions.batch_id::bigint as grade_decision_batch_id
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
    left join lateral (
        -- forced distribution within the institution: the best grade whose cumulative quota reaches
        -- the rank's position (ties share a rank, so they share the better grade)
        select grade_quotas.grade
        from grade_quotas
        where
            grade_quotas.org_id = ranked.parent_org_id
            and grade_quotas.role_code = ranked.role_code
            and ranked.biz_date >= grade_quotas.valid_from
            and ranked.biz_date <= coalesce(grade_quotas.valid_to, 'infinity'::date)
            and 100.0 * ranked.rank_in_institution / ranked.peers_in_institution <= grade_quotas.cumulative_pct
        order by grade_quotas.sort_order
        limit 1
    ) as quota_grades on true
    left join grade_decisions as decisions
        on
            ranked.subject_type = decisions.subject_type
            and ranked.subject_id = decisions.subject_id
            and ranked.period = decisions.period
)

select * from final
