{{ config(materialized='view') }}

with

-- the mart is read twice, through two CTEs each used once, so PostgreSQL inlines both (a CTE used
-- twice is materialized whole)
indicator_values as (
    select * from {{ ref('mart_indicator_value') }}
),

institution_values as (
    select * from {{ ref('mart_indicator_value') }}
    where subject_type = 'ORG'
),

roles as (
    -- the roles and weights in force on each date (seeds, then the office's imports; issue 16)
    select * from {{ ref('dim_scheme_roles') }}
),

role_indicators as (
    select * from {{ ref('dim_scheme_role_indicators') }}
),

subject_lines as (
    -- each subject's role that day and the role's indicators of each period type
    select
        subjects.biz_date,
        subjects.subject_type,
        subjects.subject_id,
        subjects.subject_name,
        subjects.parent_org_id,
        subjects.caliber as subject_caliber,
        subjects.value as own_value,
        subjects.plan_value as own_plan_value,
        subjects.completion_pct as own_completion_pct,
        roles.role_code,
        roles.evaluated_on,
        roles.caliber,
        role_indicators.period_type,
        role_indicators.indicator_code,
        role_indicators.weight_pct,
        role_indicators.floor_pct,
        role_indicators.cap_pct
    from indicator_values as subjects
    inner join roles
        on
            subjects.subject_type = roles.subject_type
            and subjects.subject_kind = any(string_to_array(roles.match_kinds, ' '))
            and subjects.biz_date >= roles.valid_from
            and subjects.biz_date <= coalesce(roles.valid_to, 'infinity'::date)
            and subjects.caliber = case when roles.evaluated_on = 'SELF' then roles.caliber else 'ASSESSMENT' end
    inner join role_indicators
        on
            roles.role_code = role_indicators.role_code
            and subjects.indicator_code = role_indicators.indicator_code
            and subjects.biz_date >= role_indicators.valid_from
            and subjects.biz_date <= coalesce(role_indicators.valid_to, 'infinity'::date)
),

evaluated_lines as (
    -- SELF: the subject's own figures; OWN_INSTITUTION: those of the employee's institution that day
    select
        subject_lines.*,
        case when subject_lines.evaluated_on = 'SELF' then 'SELF' else 'ORG:' || subject_lines.parent_org_id end
            as evaluated_subject,
        case
            when subject_lines.evaluated_on = 'SELF' then subject_lines.own_value else institutions.value
        end as value,
        case
            when subject_lines.evaluated_on = 'SELF' then subject_lines.own_plan_value else institutions.plan_value
        end as plan_value,
        case
            when subject_lines.evaluated_on = 'SELF' then subject_lines.own_completion_pct
            else institutions.completion_pct
        end as completion_pct
    from subject_lines
    -- a lookup per line (lateral), so only that day's institution rows are read, however long the history
    left join lateral (
        select
            institution_values.value,
            institution_values.plan_value,
            institution_values.completion_pct
        from institution_values
        where
            subject_lines.evaluated_on = 'OWN_INSTITUTION'
            and institution_values.subject_id = subject_lines.parent_org_id
            and institution_values.caliber = subject_lines.caliber
            and institution_values.biz_date = subject_lines.biz_date
            and institution_values.indicator_code = subject_lines.indicator_code
        -- one row per key; the limit also keeps the lookup a parameterized one (not flattened into a join)
        order by institution_values.subject_id
        limit 1
    ) as institutions on true
),

final as (
    select
        -- key
        biz_date::date as biz_date,
        period_type::text as period_type,
        subject_type::text as subject_type,
        subject_id::text as subject_id,
        indicator_code::text as indicator_code,
        -- who and how
        subject_name::text as subject_name,
        parent_org_id::text as parent_org_id,
        role_code::text as role_code,
        evaluated_subject::text as evaluated_subject,
        caliber::text as caliber,
        -- the indicator's score
        value::numeric as value,
        plan_value::numeric as plan_value,
        completion_pct::numeric as completion_pct,
        weight_pct::numeric as weight_pct,
        floor_pct::numeric as floor_pct,
        cap_pct::numeric as cap_pct,
        least(greatest(coalesce(completion_pct, floor_pct), floor_pct), cap_pct)::numeric as score_pct,
        round(least(greatest(coalesce(completion_pct, floor_pct), floor_pct), cap_pct) * weight_pct / 100, 4)::numeric
            as weighted_score
    from evaluated_lines
)

select * from final
