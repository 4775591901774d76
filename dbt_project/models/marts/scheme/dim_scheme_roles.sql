{{ config(materialized='view') }}

with

seed_roles as (
    select * from {{ ref('assessment_roles') }}
),

imported_roles as (
    select * from {{ ref('stg_control__assessment_roles') }}
),

{%- set role_columns = [
    'name_zh', 'name_en', 'subject_type', 'match_kinds', 'evaluated_on', 'caliber',
    'performance_weight_pct', 'ability_weight_pct', 'attitude_weight_pct', 'grade_method',
] %}

default_versions as (
    select
        role_code,
        valid_from as effective_date,
        valid_to as own_valid_to,
        {{ role_columns | join(',\n        ') }}
    from seed_roles
),

imported_versions as (
    select
        role_code,
        effective_date,
        null::date as own_valid_to,
        {{ role_columns | join(',\n        ') }}
    from imported_roles
),

{{ scheme_versions('imported_versions', 'default_versions', ['role_code'], role_columns) }},

final as (
    select
        -- key
        role_code::text as role_code,
        valid_from::date as valid_from,
        -- the role
        valid_to::date as valid_to,
        name_zh::text as name_zh,
        name_en::text as name_en,
        subject_type::text as subject_type,
        match_kinds::text as match_kinds,
        evaluated_on::text as evaluated_on,
        caliber::text as caliber,
        performance_weight_pct::numeric as performance_weight_pct,
        ability_weight_pct::numeric as ability_weight_pct,
        attitude_weight_pct::numeric as attitude_weight_pct,
        grade_method::text as grade_method,
        version_source::text as version_source
    from versioned_rows
)

select * from final
