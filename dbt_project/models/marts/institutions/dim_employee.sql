{{ config(materialized='view') }}

{#- The public face of `int_employees_versioned`, where the employee versions are kept and
    continued from night to night (incremental). -#}

with

employee_versions as (
    select * from {{ ref('int_employees_versioned') }}
),

final as (
    select
        emp_id,
        valid_from,
        valid_to,
        is_current,
        org_id,
        emp_name,
        post_code,
        status,
        hire_date,
        leave_date,
        is_virtual,
        last_seen_date
    from employee_versions
)

select * from final
