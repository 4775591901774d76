with

employees as (
    select * from {{ ref('stg_core__employees') }}
    where {{ window_filter('biz_date') }}
),

institutions as (
    select * from {{ ref('stg_core__institutions') }}
    where {{ window_filter('biz_date') }}
),

real_employees as (
    select
        emp_id,
        org_id,
        emp_name,
        post_code,
        status,
        hire_date,
        leave_date,
        false as is_virtual,
        biz_date
    from employees
),

virtual_managers as (
    -- each institution's public owner (公共客户经理), not in the EMP feed: V<org_id>, on the books
    -- every day the institution is; it leaves when the institution closes
    select
        {{ virtual_manager_id('org_id') }} as emp_id,
        org_id,
        coalesce(org_name, org_id) || '虚拟客户经理' as emp_name,
        'VCM' as post_code,
        case status when 'X' then 'L' else 'A' end as status,
        open_date as hire_date,
        null::date as leave_date,
        true as is_virtual,
        biz_date
    from institutions
),

final as (
    select * from real_employees
    union all
    select * from virtual_managers
)

select * from final
