{{ config(materialized='view') }}

{%- set indicator_value_columns = [
    'biz_date', 'subject_type', 'subject_id', 'caliber', 'indicator_code', 'subject_name', 'subject_kind',
    'subject_level', 'parent_org_id', 'indicator_value', 'statistic_value', 'base_date', 'base_value',
] %}

with

daily_values as (
    select * from {{ ref('fct_indicator_value_daily') }}
),

monthly_values as (
    select * from {{ ref('fct_indicator_value_monthly') }}
),

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

indicator_settings as (
    -- names and assessed-or-not in force on each date (the catalogue's, then the office's imports)
    select * from {{ ref('dim_scheme_indicators') }}
),

plans as (
    select * from {{ ref('stg_control__plans') }}
),

manual_values as (
    select * from {{ ref('stg_control__manual_indicator_values') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

subjects as (
    select * from {{ ref('dim_indicator_subject') }}
),

manual_indicator_values as (
    -- manual indicators (catalogue shape MANUAL): the office's value of the period on every day of it
    -- the subject is on the books, up to the build's last day (the view is rebuilt by every run)
    select
        calendar.biz_date,
        manual_values.subject_type,
        manual_values.subject_id,
        subjects.caliber,
        manual_values.indicator_code,
        subjects.subject_name,
        subjects.subject_kind,
        subjects.subject_level,
        subjects.parent_org_id,
        manual_values.value as indicator_value,
        manual_values.value as statistic_value,
        null::date as base_date,
        null::numeric as base_value
    from manual_values
    inner join calendar
        on
            manual_values.period_start <= calendar.biz_date
            and manual_values.period_end >= calendar.biz_date
            and {{ window_end('manual_values.period_end') }} >= calendar.biz_date
    inner join subjects
        on
            manual_values.subject_type = subjects.subject_type
            and manual_values.subject_id = subjects.subject_id
            and calendar.biz_date >= subjects.valid_from
            and calendar.biz_date <= coalesce(subjects.valid_to, 'infinity'::date)
),

indicator_values as (
    -- the daily indicators, the month statements on each month's last built day, the manual indicators
    select
        {{ indicator_value_columns | join(',\n        ') }}
    from daily_values
    union all
    select
        {{ indicator_value_columns | join(',\n        ') }}
    from monthly_values
    union all
    select
        {{ indicator_value_columns | join(',\n        ') }}
    from manual_indicator_values
),

planned_values as (
    -- the plan in force now: of the indicator's plan period, the finest containing D for point indicators
    select
        indicator_values.*,
        indicator_settings.name_zh,
        indicator_settings.name_en,
        catalogue.unit,
        indicator_settings.is_assessed,
        catalogue.direction,
        chosen_plans.period as plan_period,
        chosen_plans.plan_value
    from indicator_values
    inner join catalogue
        on indicator_values.indicator_code = catalogue.indicator_code
    inner join indicator_settings
        on
            indicator_values.indicator_code = indicator_settings.indicator_code
            and indicator_values.biz_date >= indicator_settings.valid_from
            and indicator_values.biz_date <= coalesce(indicator_settings.valid_to, 'infinity'::date)
    left join lateral (
        select
            plans.period,
            plans.plan_value
        from plans
        where
            plans.indicator_code = indicator_values.indicator_code
            and plans.subject_type = indicator_values.subject_type
            and plans.subject_id = indicator_values.subject_id
            and indicator_values.biz_date between plans.period_start and plans.period_end
            and catalogue.plan_period in ('FINEST', plans.period_grain)
        order by plans.period_end - plans.period_start
        limit 1
    ) as chosen_plans on true
),

final as (
    select
        -- key
        biz_date::date as biz_date,
        subject_type::text as subject_type,
        subject_id::text as subject_id,
        caliber::text as caliber,
        indicator_code::text as indicator_code,
        -- actual, plan, completion
        indicator_value::numeric as value,
        plan_value::numeric as plan_value,
        {{ completion_pct('indicator_value', 'plan_value', 'direction') }}::numeric as completion_pct,
        plan_period::text as plan_period,
        -- the indicator
        name_zh::text as indicator_name_zh,
        name_en::text as indicator_name_en,
        unit::text as unit,
        is_assessed::boolean as is_assessed,
        direction::text as direction,
        -- the subject that day
        subject_name::text as subject_name,
        subject_kind::text as subject_kind,
        subject_level::integer as subject_level,
        parent_org_id::text as parent_org_id,
        -- how the value was made
        statistic_value::numeric as statistic_value,
        base_date::date as base_date,
        base_value::numeric as base_value
    from planned_values
)

select * from final
