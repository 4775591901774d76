{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['org_id', 'valid_from'],
        pre_hook=[
            "{{ assert_window_is_latest('last_seen_date') }}",
            "{{ delete_from_window_start('valid_from') }}",
        ],
    )
}}

with

institution_snapshots as (
    select * from {{ ref('stg_core__institutions') }}
    where {{ window_filter('biz_date') }}
),

{{ scd2_versions(
    snapshots='institution_snapshots',
    key='org_id',
    tracked_columns=['org_name', 'parent_org_id', 'org_level', 'org_type', 'status', 'open_date'],
) }},

final as (
    select
        org_id::text as org_id,
        valid_from::date as valid_from,
        valid_to::date as valid_to,
        (valid_to is null)::boolean as is_current,
        org_name::text as org_name,
        parent_org_id::text as parent_org_id,
        org_level::integer as org_level,
        org_type::text as org_type,
        status::text as status,
        open_date::date as open_date,
        last_seen_date::date as last_seen_date
    from versions
)

select * from final
