{{ config(materialized='view', tags=['daily']) }}

with

imported_classes as (
    select * from {{ ref('stg_control__key_customers') }}
),

imported_versions as (
    select
        cust_id,
        effective_date,
        end_date as own_valid_to,
        key_class,
        note
    from imported_classes
),

default_versions as (
    -- no customer is a key customer until the office says so
    select * from imported_versions
    where false
),

{{ scheme_versions('imported_versions', 'default_versions', ['cust_id'], ['key_class', 'note']) }},

final as (
    select
        -- key
        cust_id::text as cust_id,
        valid_from::date as valid_from,
        -- the classification
        valid_to::date as valid_to,
        key_class::text as key_class,
        note::text as note
    from versioned_rows
)

select * from final
