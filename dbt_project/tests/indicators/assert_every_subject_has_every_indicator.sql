-- Every subject of a day (each employee and virtual manager on the books, each institution in both
-- calibers) has every daily catalogue indicator - all but the month statements, which
-- fct_indicator_value_monthly gives once a month (rows: a subject-day missing indicators).
with

indicator_values as (
    select * from {{ ref('fct_indicator_value_daily') }}
    where {{ window_filter('biz_date') }}
),

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
    where shape in ('SUM', 'RATIO') or measure in {{ daily_measures() }}
),

subject_counts as (
    select
        biz_date,
        subject_type,
        subject_id,
        caliber,
        count(*) as indicator_count
    from indicator_values
    group by biz_date, subject_type, subject_id, caliber
)

select subject_counts.*
from subject_counts
where subject_counts.indicator_count <> (select count(*) from catalogue)
