{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        tags=['daily'],
        indexes=[
            {'columns': ['biz_date'], 'type': 'brin'},
            {'columns': ['indicator_code', 'subject_type', 'subject_id']},
        ],
        pre_hook=[
            "{{ assert_window_follows('biz_date') }}",
            "{{ assert_window_is_latest('biz_date', same_year_only=true) }}",
            "{{ delete_rebuilt_subject_days() }}",
        ],
        post_hook=["analyze {{ this }}"],
    )
}}

{%- set first_date = first_rebuilt_date() %}
{%- set window_first = window_bound('min_date') %}
{%- set last_date = window_bound('max_date') %}
{%- if first_date is not none and last_date is not none %}
    {#- the days whose statistics the rebuilt days need: themselves and the year- and month-ends
        their increments compare with (a few dates, as literals: the marts' BRIN indexes are read
        for these days only, so a day's cost does not grow with history); for the days before the
        window, which only the subjects a restatement touched rebuild, only those subjects' rows #}
    {%- set statistic_rows = (
        '(biz_date in (' ~ dates_and_period_ends(window_first, last_date, ['year', 'month']) ~ ')'
        ~ ' or biz_date in (' ~ dates_and_period_ends(first_date, last_date, ['year', 'month']) ~ ')'
        ~ ' and ' ~ touched_subject_filter('subject_type', 'subject_id', 'caliber') ~ ')'
    ) %}
{%- else %}
    {#- no window: every day is rebuilt, and so every day's statistics are read #}
    {%- set statistic_rows = 'biz_date is not null' %}
{%- endif %}
with

calendar_dates as (
    select * from {{ ref('dim_date') }}
),

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

subjects as (
    select * from {{ ref('dim_indicator_subject') }}
),

balances as (
    select * from {{ ref('mart_subject_balance_daily') }}
    where {{ statistic_rows }}
),

profits as (
    select * from {{ ref('mart_subject_profit_daily') }}
    where {{ statistic_rows }}
),

subject_measures as (
    select * from {{ ref('mart_subject_measures_daily') }}
    where {{ statistic_rows }}
),

rebuilt_days as (
    -- the window (or from the earliest restated day, as the balance mart rebuilds)
    select
        coalesce(
            nullif({{ first_rebuilt_day() }}, '-infinity'::date),
            (select min(balances.biz_date) from balances)
        ) as first_date,
        {{ window_end("(select max(balances.biz_date) from balances)") }} as last_date
),

calendar as (
    select calendar_dates.biz_date
    from rebuilt_days
    inner join calendar_dates
        on calendar_dates.biz_date between rebuilt_days.first_date and rebuilt_days.last_date
),

base_indicators as (
    -- month statements (EVA, employee profit) are fct_indicator_value_monthly's
    select * from catalogue
    where shape = 'BASE' and measure in {{ daily_measures() }}
),

balance_statistics as (
    -- balance measures: the classification rows that pass the indicator's filters, summed
    select
        balances.biz_date as statistic_date,
        balances.subject_type,
        balances.subject_id,
        balances.caliber,
        base_indicators.indicator_code,
        sum({{ indicator_statistic('balances', 'base_indicators', 'balances') }}) as amount
    from balances
    inner join base_indicators
        on
            base_indicators.measure = 'BALANCE'
            and balances.acct_type = base_indicators.acct_type
            and {{ list_matches('base_indicators.product_lines', 'balances.product_line') }}
            and {{ list_matches('base_indicators.customer_segments', 'balances.customer_segment') }}
            and {{ list_matches('base_indicators.deposit_classes', 'balances.deposit_class') }}
            and {{ list_matches('base_indicators.currencies', 'balances.currency') }}
            and (base_indicators.is_npl is null or balances.is_npl = base_indicators.is_npl)
            and (
                base_indicators.is_loan_customer is null
                or balances.is_loan_customer = base_indicators.is_loan_customer
            )
            and (
                base_indicators.is_small_enterprise is null
                or balances.is_small_enterprise = base_indicators.is_small_enterprise
            )
    group by
        balances.biz_date,
        balances.subject_type,
        balances.subject_id,
        balances.caliber,
        base_indicators.indicator_code
),

profit_statistics as (
    -- flow measures (profit, fees, settlements, cards): period-to-date sums per subject
    select
        profits.biz_date as statistic_date,
        profits.subject_type,
        profits.subject_id,
        profits.caliber,
        base_indicators.indicator_code,
        {{ indicator_statistic('profits', 'base_indicators', 'profits') }} as amount
    from profits
    inner join base_indicators
        on base_indicators.measure in {{ measures_of('profits') }}
),

measure_statistics as (
    -- further point figures (card, pledged, key-customer, no-credit deposits; counts)
    select
        subject_measures.biz_date as statistic_date,
        subject_measures.subject_type,
        subject_measures.subject_id,
        subject_measures.caliber,
        base_indicators.indicator_code,
        {{ indicator_statistic('measures', 'base_indicators', 'subject_measures') }} as amount
    from subject_measures
    inner join base_indicators
        on base_indicators.measure in {{ measures_of('measures') }}
),

statistics as (
    select * from balance_statistics
    union all
    select * from profit_statistics
    union all
    select * from measure_statistics
),

subject_days as (
    -- every active employee and virtual manager (assessment caliber), every institution (both calibers)
    select
        calendar.*,
        subjects.subject_type,
        subjects.subject_id,
        subjects.caliber,
        subjects.subject_name,
        subjects.subject_kind,
        subjects.subject_level,
        subjects.parent_org_id
    from calendar
    inner join subjects
        on
            calendar.biz_date >= subjects.valid_from
            and calendar.biz_date <= coalesce(subjects.valid_to, 'infinity'::date)
    where
        subjects.caliber in ('ASSESSMENT', 'ACCOUNTING')
        -- every subject in the window, the ones a restatement touched before it
        and {{ rebuilt_subject_days_filter(
            'calendar.biz_date', 'subjects.subject_type', 'subjects.subject_id', 'subjects.caliber'
        ) }}
),

day_amounts as (
    -- each day's statistic, and for increment indicators the statistic on the comparison date
    select
        calendar.biz_date,
        statistics.subject_type,
        statistics.subject_id,
        statistics.caliber,
        statistics.indicator_code,
        statistics.amount as statistic_value,
        0 as base_value
    from calendar
    inner join statistics
        on calendar.biz_date = statistics.statistic_date
    union all
    select
        calendar.biz_date,
        statistics.subject_type,
        statistics.subject_id,
        statistics.caliber,
        statistics.indicator_code,
        0 as statistic_value,
        statistics.amount as base_value
    from calendar
    inner join base_indicators
        on base_indicators.increment_over is not null
    inner join statistics
        on
            {{ indicator_base_date('calendar.biz_date', 'base_indicators.increment_over') }}
            = statistics.statistic_date
            and base_indicators.indicator_code = statistics.indicator_code
),

day_totals as (
    select
        biz_date,
        subject_type,
        subject_id,
        caliber,
        indicator_code,
        sum(statistic_value) as statistic_value,
        sum(base_value) as base_value
    from day_amounts
    group by biz_date, subject_type, subject_id, caliber, indicator_code
),

base_values as (
    -- the statistic on the day, less its value at the comparison date for increments; a subject
    -- without an amount on a date counts 0 (rules.md: days before the warehouse's history count 0)
    select
        subject_days.biz_date,
        subject_days.subject_type,
        subject_days.subject_id,
        subject_days.caliber,
        base_indicators.indicator_code,
        coalesce(day_totals.statistic_value, 0) as statistic_value,
        {{ indicator_base_date('subject_days.biz_date', 'base_indicators.increment_over') }} as base_date,
        case
            when base_indicators.increment_over is not null then coalesce(day_totals.base_value, 0)
        end as base_value
    from subject_days
    cross join base_indicators
    left join day_totals
        on
            subject_days.biz_date = day_totals.biz_date
            and subject_days.subject_type = day_totals.subject_type
            and subject_days.subject_id = day_totals.subject_id
            and subject_days.caliber = day_totals.caliber
            and base_indicators.indicator_code = day_totals.indicator_code
),

derived_values as (
    -- SUM: the sum of its components; RATIO: first / second x 100, empty when the second is 0
    select
        base_values.biz_date,
        base_values.subject_type,
        base_values.subject_id,
        base_values.caliber,
        derived.indicator_code,
        case derived.shape
            when 'SUM' then sum(base_values.statistic_value - coalesce(base_values.base_value, 0))
            when 'RATIO' then
                round(
                    100 * sum(base_values.statistic_value) filter (
                        where base_values.indicator_code = split_part(derived.components, ' ', 1)
                    )
                    / nullif(sum(base_values.statistic_value) filter (
                        where base_values.indicator_code = split_part(derived.components, ' ', 2)
                    ), 0),
                    6
                )
        end as statistic_value
    from catalogue as derived
    inner join base_values
        on base_values.indicator_code = any(string_to_array(derived.components, ' '))
    where derived.shape in ('SUM', 'RATIO')
    group by
        base_values.biz_date,
        base_values.subject_type,
        base_values.subject_id,
        base_values.caliber,
        derived.indicator_code,
        derived.shape
),

all_values as (
    select
        biz_date,
        subject_type,
        subject_id,
        caliber,
        indicator_code,
        statistic_value - coalesce(base_value, 0) as indicator_value,
        statistic_value,
        base_date,
        base_value
    from base_values
    union all
    select
        biz_date,
        subject_type,
        subject_id,
        caliber,
        indicator_code,
        statistic_value as indicator_value,
        statistic_value,
        null::date as base_date,
        null::numeric as base_value
    from derived_values
),

final as (
    select
        -- key
        all_values.biz_date::date as biz_date,
        all_values.subject_type::text as subject_type,
        all_values.subject_id::text as subject_id,
        all_values.caliber::text as caliber,
        all_values.indicator_code::text as indicator_code,
        -- the subject that day
        subject_days.subject_name::text as subject_name,
        subject_days.subject_kind::text as subject_kind,
        subject_days.subject_level::integer as subject_level,
        subject_days.parent_org_id::text as parent_org_id,
        -- the figures: money flows (profit, fees, settlements) are carried exact and shown to the fen
        -- (rules.md, Precision); balances are fen amounts, averages and ratios keep their decimals
        {%- set shown_to_the_fen = "catalogue.unit = 'CNY' and catalogue.measure is distinct from 'BALANCE'" %}
        (case
            when {{ shown_to_the_fen }} then {{ shown_money('all_values.indicator_value') }}
            else all_values.indicator_value
        end)::numeric(30, 6) as indicator_value,
        (case
            when {{ shown_to_the_fen }} then {{ shown_money('all_values.statistic_value') }}
            else all_values.statistic_value
        end)::numeric(30, 6) as statistic_value,
        all_values.base_date::date as base_date,
        (case
            when {{ shown_to_the_fen }} then {{ shown_money('all_values.base_value') }}
            else all_values.base_value
        end)::numeric(30, 6) as base_value
    from all_values
    inner join catalogue
        on all_values.indicator_code = catalogue.indicator_code
    inner join subject_days
        on
            all_values.biz_date = subject_days.biz_date
            and all_values.subject_type = subject_days.subject_type
            and all_values.subject_id = subject_days.subject_id
            and all_values.caliber = subject_days.caliber
)

select * from final
