{#- Every calendar day from var dim_date_start (default 2020-01-01) through var dim_date_end
    (default 2030-12-31), widened to cover the run's window and the year before it (the furthest a
    restatement reaches back): a few thousand rows, rebuilt in full. The one calendar: the daily
    marts take their days from it. -#}

with

calendar_days as (
    select calendar_day::date as biz_date
    from generate_series(
        least(
            '{{ var("dim_date_start", "2020-01-01") }}'::date,
            {{ period_start(window_start("null::date"), 'year') }} - interval '1 year'
        )::timestamp,
        greatest('{{ var("dim_date_end", "2030-12-31") }}'::date, {{ window_end("null::date") }})::timestamp,
        interval '1 day'
    ) as calendar_series (calendar_day)
),

final as (
    select
        biz_date::date as biz_date,
        extract(year from biz_date)::integer as year_number,
        extract(quarter from biz_date)::integer as quarter_number,
        extract(month from biz_date)::integer as month_number,
        extract(day from biz_date)::integer as day_of_month,
        extract(isodow from biz_date)::integer as iso_day_of_week,
        to_char(biz_date, 'YYYY')::text as year_label,
        (to_char(biz_date, 'YYYY') || 'Q' || extract(quarter from biz_date)::text)::text as quarter_label,
        to_char(biz_date, 'YYYY-MM')::text as month_label,
        {%- for period in ['month', 'quarter', 'year'] %}
            {{ period_start('biz_date', period) }} as {{ period }}_start_date,
            {{ period_end('biz_date', period) }} as {{ period }}_end_date,
            {{ days_elapsed('biz_date', period) }}::integer as days_elapsed_{{ period }},
            ({{ period_end('biz_date', period) }} - {{ period_start('biz_date', period) }} + 1)::integer
                as days_in_{{ period }},
        {%- endfor %}
        (biz_date = {{ period_end('biz_date', 'month') }})::boolean as is_month_end,
        (biz_date = {{ period_end('biz_date', 'quarter') }})::boolean as is_quarter_end,
        (biz_date = {{ period_end('biz_date', 'year') }})::boolean as is_year_end
    from calendar_days
)

select * from final
