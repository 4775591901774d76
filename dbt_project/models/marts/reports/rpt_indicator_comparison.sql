{{ config(materialized='view') }}

with

indicator_values as (
    select * from {{ ref('mart_indicator_value') }}
),

-- the history is read through one CTE per comparison date, each used once, so PostgreSQL inlines
-- them and a query's filters reach the indexes (a CTE used three times is materialized whole)
previous_day_values as (
    select * from {{ ref('fct_indicator_value_daily') }}
),

month_end_values as (
    select * from {{ ref('fct_indicator_value_daily') }}
),

year_end_values as (
    select * from {{ ref('fct_indicator_value_daily') }}
),

final as (
    select
        indicator_values.biz_date,
        indicator_values.subject_type,
        indicator_values.subject_id,
        indicator_values.caliber,
        indicator_values.indicator_code,
        indicator_values.indicator_name_zh,
        indicator_values.subject_name,
        indicator_values.subject_kind,
        indicator_values.parent_org_id,
        indicator_values.unit,
        indicator_values.value,
        indicator_values.plan_value,
        indicator_values.completion_pct,
        previous_day.indicator_value as value_previous_day,
        month_end.indicator_value as value_last_month_end,
        year_end.indicator_value as value_last_year_end,
        indicator_values.value - previous_day.indicator_value as change_since_previous_day,
        indicator_values.value - month_end.indicator_value as change_since_month_end,
        indicator_values.value - year_end.indicator_value as change_since_year_end
    from indicator_values
    left join previous_day_values as previous_day
        on
            indicator_values.biz_date - 1 = previous_day.biz_date
            and indicator_values.subject_type = previous_day.subject_type
            and indicator_values.subject_id = previous_day.subject_id
            and indicator_values.caliber = previous_day.caliber
            and indicator_values.indicator_code = previous_day.indicator_code
    left join month_end_values as month_end
        on
            {{ period_start('indicator_values.biz_date', 'month') }} - 1 = month_end.biz_date
            and indicator_values.subject_type = month_end.subject_type
            and indicator_values.subject_id = month_end.subject_id
            and indicator_values.caliber = month_end.caliber
            and indicator_values.indicator_code = month_end.indicator_code
    left join year_end_values as year_end
        on
            {{ period_start('indicator_values.biz_date', 'year') }} - 1 = year_end.biz_date
            and indicator_values.subject_type = year_end.subject_type
            and indicator_values.subject_id = year_end.subject_id
            and indicator_values.caliber = year_end.caliber
            and indicator_values.indicator_code = year_end.indicator_code
)

select * from final
