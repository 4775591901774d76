{{ config(materialized='view') }}

{#- Restatements after a close: for each period whose close is in force, every indicator value
    (value, plan, completion) and every result part (scores, ranks, grade) whose current value
    differs from the closed one, on the period's last day. Closed results never change; this is
    what the office decides on (reopen and close again, or leave the close as paid). -#}
{%- set result_measures = [
    'performance_score', 'ability_score', 'attitude_score', 'total_score', 'rank_in_bank', 'rank_in_institution',
] %}

with

closes_in_force as (
    select * from {{ ref('mart_appraisal_closes') }}
    where is_in_force
),

closed_values as (
    select * from {{ ref('stg_appraisal__closed_indicator_values') }}
),

current_values as (
    select * from {{ ref('mart_indicator_value') }}
),

closed_results as (
    select * from {{ ref('stg_appraisal__closed_results') }}
),

current_results as (
    select * from {{ ref('mart_scorecard') }}
),

closes_for_values as (
    select * from {{ ref('mart_appraisal_closes') }}
    where is_in_force
),

closes_for_results as (
    select * from {{ ref('mart_appraisal_closes') }}
    where is_in_force
),

closed_value_lines as (
    select
        closes_in_force.close_id,
        closes_in_force.period,
        closes_in_force.close_version,
        closes_in_force.biz_date,
        closed_values.subject_type,
        closed_values.subject_id,
        closed_values.subject_name,
        closed_values.parent_org_id,
        closed_values.caliber,
        closed_values.indicator_code,
        closed_values.value as closed_value,
        null::numeric as current_value,
        closed_values.plan_value as closed_plan_value,
        null::numeric as current_plan_value,
        closed_values.completion_pct as closed_completion_pct,
        null::numeric as current_completion_pct
    from closed_values
    inner join closes_in_force
        on closed_values.close_id = closes_in_force.close_id
),

current_value_lines as (
    -- the current values of the closes' days (a quarter-end is also its month's end: one row per close)
    select
        closes_for_values.close_id,
        closes_for_values.period,
        closes_for_values.close_version,
        current_values.biz_date,
        current_values.subject_type,
        current_values.subject_id,
        current_values.subject_name,
        current_values.parent_org_id,
        current_values.caliber,
        current_values.indicator_code,
        null::numeric as closed_value,
        current_values.value as current_value,
        null::numeric as closed_plan_value,
        current_values.plan_value as current_plan_value,
        null::numeric as closed_completion_pct,
        current_values.completion_pct as current_completion_pct
    from current_values
    inner join closes_for_values
        on current_values.biz_date = closes_for_values.biz_date
),

value_lines as (
    -- both sides as rows, paired by grouping (not a full join): a query of one day (biz_date = D) then
    -- reads only that day of the indicator facts
    select * from closed_value_lines
    union all
    select * from current_value_lines
),

value_pairs as (
    select
        close_id,
        period,
        close_version,
        biz_date,
        subject_type,
        subject_id,
        caliber,
        indicator_code as item,
        max(subject_name) as subject_name,
        max(parent_org_id) as parent_org_id,
        max(closed_value) as closed_value,
        max(current_value) as current_value,
        max(closed_plan_value) as closed_plan_value,
        max(current_plan_value) as current_plan_value,
        max(closed_completion_pct) as closed_completion_pct,
        max(current_completion_pct) as current_completion_pct
    from value_lines
    group by close_id, period, close_version, biz_date, subject_type, subject_id, caliber, indicator_code
),

value_differences as (
    select
        value_pairs.period,
        value_pairs.close_version,
        value_pairs.biz_date,
        'INDICATOR' as line_type,
        value_pairs.subject_type,
        value_pairs.subject_id,
        value_pairs.subject_name,
        value_pairs.parent_org_id,
        value_pairs.caliber,
        value_pairs.item,
        measures.measure,
        measures.closed_value,
        measures.current_value,
        null::text as closed_grade,
        null::text as current_grade
    from value_pairs
    cross join
        lateral (
            values
            ('value', value_pairs.closed_value, value_pairs.current_value),
            ('plan_value', value_pairs.closed_plan_value, value_pairs.current_plan_value),
            ('completion_pct', value_pairs.closed_completion_pct, value_pairs.current_completion_pct)
        ) as measures (measure, closed_value, current_value)
    where measures.closed_value is distinct from measures.current_value
),

closed_result_lines as (
    select
        closed_results.*,
        closes_for_results.period,
        closes_for_results.period_type,
        closes_for_results.close_version,
        closes_for_results.biz_date
    from closed_results
    inner join closes_for_results
        on closed_results.close_id = closes_for_results.close_id
),

result_pairs as (
    select
        closed_result_lines.period,
        closed_result_lines.close_version,
        closed_result_lines.biz_date,
        closed_result_lines.subject_type,
        closed_result_lines.subject_id,
        closed_result_lines.subject_name,
        closed_result_lines.parent_org_id,
        {% for measure in result_measures %}
            closed_result_lines.{{ measure }} as closed_{{ measure }},
            current_results.{{ measure }} as current_{{ measure }},
        {% endfor %}
        closed_result_lines.grade as closed_grade,
        current_results.grade as current_grade
    from closed_result_lines
    -- the day's current scorecard of the closed subjects (a subject new since the close has no closed
    -- result to differ from: its indicator values show as new lines above)
    left join current_results
        on
            closed_result_lines.biz_date = current_results.biz_date
            and closed_result_lines.period_type = current_results.period_type
            and closed_result_lines.subject_type = current_results.subject_type
            and closed_result_lines.subject_id = current_results.subject_id
),

result_differences as (
    select
        result_pairs.period,
        result_pairs.close_version,
        result_pairs.biz_date,
        'RESULT' as line_type,
        result_pairs.subject_type,
        result_pairs.subject_id,
        result_pairs.subject_name,
        result_pairs.parent_org_id,
        null::text as caliber,
        measures.measure as item,
        measures.measure,
        measures.closed_value,
        measures.current_value,
        measures.closed_grade,
        measures.current_grade
    from result_pairs
    cross join
        lateral (
            values
            {% for measure in result_measures %}
                (
                    '{{ measure }}',
                    result_pairs.closed_{{ measure }}::numeric,
                    result_pairs.current_{{ measure }}::numeric,
                    null::text, null::text
                ),
            {% endfor %}
            ('grade', null::numeric, null::numeric, result_pairs.closed_grade, result_pairs.current_grade)
        ) as measures (measure, closed_value, current_value, closed_grade, current_grade)
    where
        measures.closed_value is distinct from measures.current_value
        or measures.closed_grade is distinct from measures.current_grade
),

differences as (
    select * from value_differences
    union all
    select * from result_differences
),

final as (
    select
        -- key
        biz_date::date as biz_date,
        period::text as period,
        line_type::text as line_type,
        subject_type::text as subject_type,
        subject_id::text as subject_id,
        caliber::text as caliber,
        item::text as item,
        measure::text as measure,
        -- the close compared with
        close_version::integer as close_version,
        -- who
        subject_name::text as subject_name,
        parent_org_id::text as parent_org_id,
        -- closed and current
        closed_value::numeric as closed_value,
        current_value::numeric as current_value,
        (current_value - closed_value)::numeric as difference,
        closed_grade::text as closed_grade,
        current_grade::text as current_grade
    from differences
)

select * from final
