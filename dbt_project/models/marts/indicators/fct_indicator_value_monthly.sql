{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month_start',
        tags=['daily'],
        post_hook=["analyze {{ this }}"],
    )
}}

{%- set statements = {} %}
{%- for measure, spec in indicator_measures().items() if spec.source == 'monthly' %}
    {%- do statements.update({measure: spec}) %}
{%- endfor %}
with

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

subjects as (
    select * from {{ ref('dim_indicator_subject') }}
),

statement_amounts as (
    -- each month statement's amount per subject and month, with the month's last built day: the
    -- months of the years the window (or a restatement before it) touches, so each year to date is whole
    {%- for measure, spec in statements.items() %}
        select
            '{{ measure }}' as measure,
            {{ spec.subject_column }} as subject_id,
            month_start,
            through_date,
            {{ spec.column }} as amount
        from {{ ref(spec.relation) }}
        where month_start >= {{ period_start(first_rebuilt_day(), 'year') }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

measure_subjects as (
    -- which subjects each statement has: employees, or institutions of the listed types
    select *
    from (
        values
        {%- for measure, spec in statements.items() %}
            (
                '{{ measure }}', '{{ spec.subject_type }}',
                {{ "'" ~ spec.subject_kinds | join(' ') ~ "'" if spec.subject_kinds else 'null' }}
            ){{ ',' if not loop.last }}
        {%- endfor %}
    ) as specs (measure, subject_type, subject_kinds)
),

month_indicators as (
    select
        catalogue.indicator_code,
        catalogue.measure,
        catalogue.statistic,
        measure_subjects.subject_type,
        measure_subjects.subject_kinds
    from catalogue
    inner join measure_subjects
        on catalogue.measure = measure_subjects.measure
    where catalogue.shape = 'BASE'
),

evaluation_days as (
    -- a month is evaluated on its last built day: the month-end once the month is over, the
    -- latest day while it runs
    select
        month_start,
        max(through_date) as biz_date
    from statement_amounts
    group by month_start
    having max(through_date) is not null
),

subject_days as (
    -- every active employee and virtual manager, and every institution, on the evaluation day
    select
        evaluation_days.*,
        subjects.subject_type,
        subjects.subject_id,
        subjects.caliber,
        subjects.subject_name,
        subjects.subject_kind,
        subjects.subject_level,
        subjects.parent_org_id
    from evaluation_days
    inner join subjects
        on
            evaluation_days.biz_date >= subjects.valid_from
            and evaluation_days.biz_date <= coalesce(subjects.valid_to, 'infinity'::date)
    where subjects.caliber in ('ASSESSMENT')
),

subject_months as (
    -- the month's and the year's amounts to that month (months of the year up to it), 0 without one
    select
        subject_days.*,
        month_indicators.indicator_code,
        month_indicators.measure,
        month_indicators.statistic,
        coalesce(sum(statement_amounts.amount) filter (
            where statement_amounts.month_start = subject_days.month_start
        ), 0) as month_amount,
        coalesce(sum(statement_amounts.amount), 0) as year_amount
    from subject_days
    inner join month_indicators
        on
            subject_days.subject_type = month_indicators.subject_type
            and (
                month_indicators.subject_kinds is null
                or subject_days.subject_kind = any(string_to_array(month_indicators.subject_kinds, ' '))
            )
    left join statement_amounts
        on
            month_indicators.measure = statement_amounts.measure
            and subject_days.subject_id = statement_amounts.subject_id
            and {{ period_start('subject_days.month_start', 'year') }} <= statement_amounts.month_start
            and subject_days.month_start >= statement_amounts.month_start
    group by
        subject_days.month_start,
        subject_days.biz_date,
        subject_days.subject_type,
        subject_days.subject_id,
        subject_days.caliber,
        subject_days.subject_name,
        subject_days.subject_kind,
        subject_days.subject_level,
        subject_days.parent_org_id,
        month_indicators.indicator_code,
        month_indicators.measure,
        month_indicators.statistic
),

final as (
    select
        -- key
        biz_date::date as biz_date,
        subject_type::text as subject_type,
        subject_id::text as subject_id,
        caliber::text as caliber,
        indicator_code::text as indicator_code,
        -- the subject that day
        subject_name::text as subject_name,
        subject_kind::text as subject_kind,
        subject_level::integer as subject_level,
        parent_org_id::text as parent_org_id,
        -- the figures
        {{ indicator_statistic('monthly', 'subject_months', 'subject_months') }}::numeric(30, 6) as indicator_value,
        {{ indicator_statistic('monthly', 'subject_months', 'subject_months') }}::numeric(30, 6) as statistic_value,
        null::date as base_date,
        null::numeric(30, 6) as base_value,
        month_start::date as month_start
    from subject_months
)

select * from final
