{{ config(materialized='view') }}

with

seed_grades as (
    select * from {{ ref('assessment_grades') }}
),

imported_grades as (
    select * from {{ ref('stg_control__assessment_grades') }}
),

default_versions as (
    -- the shipped scales have no date: they are the starting version
    select
        grade_method,
        '2000-01-01'::date as effective_date,
        null::date as own_valid_to,
        grade,
        sort_order,
        min_total_score,
        max_position_pct
    from seed_grades
),

imported_versions as (
    select
        grade_method,
        effective_date,
        null::date as own_valid_to,
        grade,
        sort_order,
        min_total_score,
        max_position_pct
    from imported_grades
),

{{ scheme_versions(
    'imported_versions', 'default_versions', ['grade_method'],
    ['grade', 'sort_order', 'min_total_score', 'max_position_pct']
) }},

final as (
    select
        -- key
        grade_method::text as grade_method,
        grade::text as grade,
        valid_from::date as valid_from,
        -- the grade's limit
        valid_to::date as valid_to,
        sort_order::integer as sort_order,
        min_total_score::numeric as min_total_score,
        max_position_pct::numeric as max_position_pct,
        version_source::text as version_source
    from versioned_rows
)

select * from final
