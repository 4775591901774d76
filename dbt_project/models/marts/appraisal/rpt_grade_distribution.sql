{{ config(materialized='view') }}

{#- The grade distribution per institution and role (and in the bank: org_id null), of the
    results in force - a closed period's close in force, an open period's live scorecard - with the
    quota the office set where there is one. -#}

with

results as (
    select * from {{ ref('mart_appraisal_result') }}
    where is_in_force
),

quotas as (
    select * from {{ ref('int_grade_quotas_versioned') }}
),

counted as (
    select
        biz_date,
        period_type,
        period,
        result_status,
        subject_type,
        role_code,
        parent_org_id,
        grade,
        count(*) as subjects,
        count(*) filter (where grade_status = 'OVERRIDDEN') as overridden,
        count(*) filter (where grade_status = 'CONFIRMED') as confirmed,
        grouping(parent_org_id) = 1 as is_bank,
        sum(count(*)) over (
            partition by biz_date, period_type, subject_type, role_code, parent_org_id, grouping(parent_org_id)
        ) as population
    from results
    group by grouping sets (
        (biz_date, period_type, period, result_status, subject_type, role_code, parent_org_id, grade),
        (biz_date, period_type, period, result_status, subject_type, role_code, grade)
    )
),

final as (
    select
        -- key
        counted.biz_date::date as biz_date,
        counted.period_type::text as period_type,
        counted.role_code::text as role_code,
        (case when counted.is_bank then null else counted.parent_org_id end)::text as org_id,
        counted.is_bank::boolean as is_bank,
        counted.grade::text as grade,
        -- the period
        counted.period::text as period,
        counted.result_status::text as result_status,
        counted.subject_type::text as subject_type,
        -- the distribution
        counted.subjects::integer as subjects,
        counted.population::integer as population,
        round(100.0 * counted.subjects / counted.population, 2)::numeric as share_pct,
        quota_in_force.quota_pct::numeric as quota_pct,
        counted.confirmed::integer as confirmed,
        counted.overridden::integer as overridden
    from counted
    left join lateral (
        select quotas.quota_pct
        from quotas
        where
            quotas.org_id = counted.parent_org_id
            and quotas.role_code = counted.role_code
            and quotas.grade = counted.grade
            and counted.biz_date >= quotas.valid_from
            and counted.biz_date <= coalesce(quotas.valid_to, 'infinity'::date)
        order by quotas.valid_from desc
        limit 1
    ) as quota_in_force on true
)

select * from final
