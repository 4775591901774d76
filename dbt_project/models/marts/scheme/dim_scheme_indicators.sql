{{ config(materialized='view') }}

with

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

imported_settings as (
    select * from {{ ref('stg_control__indicator_settings') }}
),

default_versions as (
    -- the catalogue's own settings are the starting version of every indicator
    select
        indicator_code,
        '2000-01-01'::date as effective_date,
        null::date as own_valid_to,
        is_assessed,
        name_zh,
        name_en
    from catalogue
),

imported_versions as (
    -- an import may leave a name empty: the catalogue's stays
    select
        imported_settings.indicator_code,
        imported_settings.effective_date,
        null::date as own_valid_to,
        imported_settings.is_assessed,
        coalesce(imported_settings.name_zh, catalogue.name_zh) as name_zh,
        coalesce(imported_settings.name_en, catalogue.name_en) as name_en
    from imported_settings
    inner join catalogue
        on imported_settings.indicator_code = catalogue.indicator_code
),

{{ scheme_versions(
    'imported_versions', 'default_versions', ['indicator_code'], ['is_assessed', 'name_zh', 'name_en']
) }},

final as (
    select
        -- key
        versioned_rows.indicator_code::text as indicator_code,
        versioned_rows.valid_from::date as valid_from,
        -- the settings in force
        versioned_rows.valid_to::date as valid_to,
        versioned_rows.name_zh::text as name_zh,
        versioned_rows.name_en::text as name_en,
        versioned_rows.is_assessed::boolean as is_assessed,
        -- the definition (seed indicator_catalogue)
        catalogue.unit::text as unit,
        catalogue.shape::text as shape,
        catalogue.measure::text as measure,
        catalogue.statistic::text as statistic,
        catalogue.plan_period::text as plan_period,
        catalogue.direction::text as direction,
        versioned_rows.version_source::text as version_source
    from versioned_rows
    inner join catalogue
        on versioned_rows.indicator_code = catalogue.indicator_code
)

select * from final
