-- Every business date of the window must have accounts in its snapshot: a day with none means
-- its DEP/LOAN files were not loaded, and every account would silently count 0 that day.
-- Fails with each such day.
with

account_days as (
    -- only the columns checked: the view computes no more than they need
    select
        biz_date,
        is_present
    from {{ ref('fct_account_daily') }}
    where {{ window_filter('biz_date') }}
),

window_bounds as (
    select
        {{ window_start('min(account_days.biz_date)') }} as first_date,
        {{ window_end('max(account_days.biz_date)') }} as last_date
    from account_days
),

window_days as (
    select calendar_days.calendar_day::date as biz_date
    from window_bounds
    cross join lateral generate_series(
        window_bounds.first_date::timestamp, window_bounds.last_date::timestamp, interval '1 day'
    ) as calendar_days (calendar_day)
),

present_days as (
    select distinct biz_date
    from account_days
    where is_present
),

missing_days as (
    select window_days.biz_date
    from window_days
    left join present_days
        on window_days.biz_date = present_days.biz_date
    where present_days.biz_date is null
)

select * from missing_days
