{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        indexes=[
            {'columns': ['biz_date'], 'type': 'brin'},
            {'columns': ['subject_type', 'subject_id']},
        ],
        pre_hook=[
            "{{ assert_window_follows('biz_date') }}",
            "{{ assert_window_is_latest('biz_date', same_year_only=true) }}",
            "{{ delete_rebuilt_subject_days() }}",
        ],
        post_hook=["analyze {{ this }}"],
    )
}}

{#- day amounts that also get month- and year-to-date sums #}
{%- set measures = [
    'deposit_profit_cny', 'loan_profit_cny', 'fee_income_cny', 'fee_unassessed_cny', 'intl_settlement_cny',
    'transfer_income_cny', 'transfer_expense_cny', 'economic_capital_cost_cny', 'loan_int_income_cny',
] %}
{#- interest and profit are exact (rules.md, Precision); fees and settlements are booked to the fen #}
{%- set exact_measures = [
    'deposit_profit_cny', 'loan_profit_cny', 'transfer_income_cny', 'transfer_expense_cny',
    'economic_capital_cost_cny', 'loan_int_income_cny',
] %}
{#- card counts: stocks on the day, not summed over days #}
{%- set card_counts = ['issued_m_count', 'issued_y_count', 'effective_new_m_count', 'effective_new_y_count'] %}
{%- set periods = ['m', 'y'] %}

with

calendar_dates as (
    select * from {{ ref('dim_date') }}
),

owner_days as (
    -- the window's, and before it the touched subjects' owners'
    select * from {{ ref('fct_profit_owner_daily') }}
    where {{ rebuilt_owner_rows_filter() }}
),

card_allocations as (
    select * from {{ ref('fct_card_allocations_daily') }}
    where {{ rebuilt_owner_rows_filter() }}
),

ancestors as (
    select * from {{ ref('bridge_institution_ancestor') }}
),

previous_rows as (
    select * from {{ this_or_empty() }}
),

subject_parts as (
    -- each amount with the institution it counts to in each caliber
    select
        biz_date,
        emp_id,
        owner_org_id,
        {%- for measure in measures %}
            {{ measure }},
        {%- endfor %}
        {%- for count in card_counts %}
            0 as {{ count }},
        {%- endfor %}
        record_org_id
    from owner_days
    union all
    select
        biz_date,
        emp_id,
        owner_org_id,
        {%- for measure in measures %}
            0 as {{ measure }},
        {%- endfor %}
        {%- for count in card_counts %}
            {{ count }},
        {%- endfor %}
        card_org_id as record_org_id
    from card_allocations
),

subject_links as (
    -- assessment: the owner, and the owner's institution and those above it; accounting: the
    -- institution on the record and those above it
    select
        subject_parts.*,
        'EMP' as subject_type,
        subject_parts.emp_id as subject_id,
        'ASSESSMENT' as caliber
    from subject_parts
    union all
    select
        subject_parts.*,
        'ORG' as subject_type,
        ancestors.ancestor_org_id as subject_id,
        'ASSESSMENT' as caliber
    from subject_parts
    inner join ancestors
        on
            subject_parts.owner_org_id = ancestors.org_id
            and subject_parts.biz_date >= ancestors.valid_from
            and subject_parts.biz_date <= coalesce(ancestors.valid_to, 'infinity'::date)
    union all
    select
        subject_parts.*,
        'ORG' as subject_type,
        ancestors.ancestor_org_id as subject_id,
        'ACCOUNTING' as caliber
    from subject_parts
    inner join ancestors
        on
            subject_parts.record_org_id = ancestors.org_id
            and subject_parts.biz_date >= ancestors.valid_from
            and subject_parts.biz_date <= coalesce(ancestors.valid_to, 'infinity'::date)
),

subject_day_totals as (
    select
        {%- for measure in measures %}
            sum({{ measure }}) as {{ measure }},
        {%- endfor %}
        {%- for count in card_counts %}
            sum({{ count }}) as {{ count }},
        {%- endfor %}
        biz_date,
        subject_type,
        subject_id,
        caliber
    from subject_links
    group by biz_date, subject_type, subject_id, caliber
),

day_totals as (
    -- the rebuilt subject-days: every subject in the window, the touched ones before it
    select * from subject_day_totals
    where {{ rebuilt_subject_days_filter('biz_date', 'subject_type', 'subject_id', 'caliber') }}
),

window_bounds as (
    select
        {{ first_rebuilt_day() }} as first_date,
        {{ window_end('(select max(day_totals.biz_date) from day_totals)') }} as last_date
),

carried_rows as (
    -- the rows of the day before the rebuilt days: each subject's sums so far (the day before the
    -- window, or before the first restated day for the subjects a restatement touched)
    select previous_rows.*
    from previous_rows
    where {{ carried_subject_rows_filter(
        'previous_rows.biz_date', 'previous_rows.subject_type', 'previous_rows.subject_id', 'previous_rows.caliber'
    ) }}
),

window_days as (
    select calendar_dates.biz_date
    from window_bounds
    inner join calendar_dates
        on calendar_dates.biz_date between window_bounds.first_date and window_bounds.last_date
),

subjects as (
    select
        subject_type,
        subject_id,
        caliber
    from day_totals
    union
    select
        subject_type,
        subject_id,
        caliber
    from carried_rows
),

subject_days as (
    select
        subjects.subject_type,
        subjects.subject_id,
        subjects.caliber,
        window_days.biz_date,
        false as is_carried_in
    from subjects
    cross join window_days
    where {{ rebuilt_subject_days_filter(
        'window_days.biz_date', 'subjects.subject_type', 'subjects.subject_id', 'subjects.caliber'
    ) }}
    union all
    select
        subject_type,
        subject_id,
        caliber,
        biz_date,
        true as is_carried_in
    from carried_rows
),

contributions as (
    -- a window day adds its amounts (0 when the subject has none that day), the carried-in row its sums
    select
        subject_days.subject_type,
        subject_days.subject_id,
        subject_days.caliber,
        subject_days.biz_date,
        day_totals.subject_id is not null or subject_days.is_carried_in as has_amounts,
        {%- for measure in measures %}
            coalesce(day_totals.{{ measure }}, 0) as {{ measure }},
            {%- for suffix in periods %}
                case
                    when subject_days.is_carried_in then carried_rows.{{ measure }}_{{ suffix }}
                    else coalesce(day_totals.{{ measure }}, 0)
                end as added_{{ measure }}_{{ suffix }},
            {%- endfor %}
        {%- endfor %}
        {%- for count in card_counts %}
            coalesce(day_totals.{{ count }}, 0) as {{ count }},
        {%- endfor %}
        subject_days.is_carried_in
    from subject_days
    left join day_totals
        on
            subject_days.subject_type = day_totals.subject_type
            and subject_days.subject_id = day_totals.subject_id
            and subject_days.caliber = day_totals.caliber
            and subject_days.biz_date = day_totals.biz_date
    left join carried_rows
        on
            subject_days.subject_type = carried_rows.subject_type
            and subject_days.subject_id = carried_rows.subject_id
            and subject_days.caliber = carried_rows.caliber
            and subject_days.biz_date = carried_rows.biz_date
),

running_sums as (
    select
        *,
        {%- for measure in measures %}
            {%- for suffix in periods %}
                sum(added_{{ measure }}_{{ suffix }}) over by_subject_{{ suffix }} as {{ measure }}_{{ suffix }},
            {%- endfor %}
        {%- endfor %}
        bool_or(has_amounts) over by_subject_y as is_in_year
    from contributions
    window
        by_subject_m as (
            partition by subject_type, subject_id, caliber, {{ period_start('biz_date', 'month') }}
            order by biz_date
        ),
        by_subject_y as (
            partition by subject_type, subject_id, caliber, {{ period_start('biz_date', 'year') }}
            order by biz_date
        )
),

final as (
    -- a subject has a row every day from its first amount of the year on
    select
        -- key
        biz_date::date as biz_date,
        subject_type::text as subject_type,
        subject_id::text as subject_id,
        caliber::text as caliber,
        -- the day's amounts and their month- and year-to-date sums, CNY
        {%- for measure in measures %}
            {%- set money_type = exact_money() if measure in exact_measures else 'numeric(24, 2)' %}
            {{ measure }}::{{ money_type }} as {{ measure }},
            {%- for suffix in periods %}
                {{ measure }}_{{ suffix }}::{{ money_type }} as {{ measure }}_{{ suffix }},
            {%- endfor %}
        {%- endfor %}
        -- card counts on the day (shares of cards)
        issued_m_count::numeric(20, 12) as issued_m_count,
        issued_y_count::numeric(20, 12) as issued_y_count,
        effective_new_m_count::numeric(20, 12) as effective_new_m_count,
        effective_new_y_count::numeric(20, 12) as effective_new_y_count
    from running_sums
    where
        not is_carried_in
        and is_in_year
)

select * from final
