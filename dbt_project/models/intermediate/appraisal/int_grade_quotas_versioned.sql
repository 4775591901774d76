with

quotas as (
    select * from {{ ref('stg_control__grade_quotas') }}
),

grades as (
    select * from {{ ref('assessment_grades') }}
),

grade_order as (
    select
        grade,
        min(sort_order) as sort_order
    from grades
    group by grade
),

quota_sets as (
    -- an institution and role's set of quotas applies until the day before its next set
    select
        org_id,
        role_code,
        effective_date,
        lead(effective_date) over (partition by org_id, role_code order by effective_date) - 1 as valid_to
    from (select distinct
        org_id,
        role_code,
        effective_date
    from quotas) as set_dates
),

final as (
    -- each grade's quota and the cumulative quota of it and the better grades (what a forced
    -- distribution compares the rank position with)
    select
        quotas.org_id,
        quotas.role_code,
        quotas.grade,
        grade_order.sort_order,
        quotas.quota_pct,
        sum(quotas.quota_pct) over (
            partition by quotas.org_id, quotas.role_code, quotas.effective_date order by grade_order.sort_order
        ) as cumulative_pct,
        quotas.effective_date as valid_from,
        quota_sets.valid_to
    from quotas
    inner join grade_order
        on quotas.grade = grade_order.grade
    inner join quota_sets
        on
            quotas.org_id = quota_sets.org_id
            and quotas.role_code = quota_sets.role_code
            and quotas.effective_date = quota_sets.effective_date
)

select * from final
