{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['emp_id', 'valid_from'],
        pre_hook=[
            "{{ assert_window_is_latest('last_seen_date') }}",
            "{{ delete_from_window_start('valid_from') }}",
        ],
    )
}}

with

employee_snapshots as (
    select * from {{ ref('int_employees_with_virtual') }}
),

{{ scd2_versions(
    snapshots='employee_snapshots',
    key='emp_id',
    tracked_columns=['org_id', 'emp_name', 'post_code', 'status', 'hire_date', 'leave_date', 'is_virtual'],
) }},

final as (
    select
        emp_id::text as emp_id,
        valid_from::date as valid_from,
        valid_to::date as valid_to,
        (valid_to is null)::boolean as is_current,
        org_id::text as org_id,
        emp_name::text as emp_name,
        post_code::text as post_code,
        status::text as status,
        hire_date::date as hire_date,
        leave_date::date as leave_date,
        is_virtual::boolean as is_virtual,
        last_seen_date::date as last_seen_date
    from versions
)

select * from final
