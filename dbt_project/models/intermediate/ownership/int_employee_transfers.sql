with

employees as (
    select * from {{ ref('int_employees_versioned') }}
),

transfer_decisions as (
    select * from {{ ref('stg_control__transfer_decisions') }}
),

employee_versions as (
    select
        emp_id,
        org_id,
        valid_from,
        lag(org_id) over (partition by emp_id order by valid_from) as previous_org_id
    from employees
    where not is_virtual
),

transfers as (
    -- rules.md: a change of the employee's org_id, effective on the first day it shows
    select
        emp_id,
        valid_from as transfer_date,
        previous_org_id as from_org_id,
        org_id as to_org_id
    from employee_versions
    where previous_org_id <> org_id
),

decided_modes as (
    select distinct
        emp_id,
        transfer_date,
        carry_mode
    from transfer_decisions
),

final as (
    select
        transfers.emp_id,
        transfers.transfer_date,
        transfers.from_org_id,
        transfers.to_org_id,
        coalesce(decided_modes.carry_mode, 'NONE') as carry_mode,
        decided_modes.emp_id is not null as is_decided
    from transfers
    left join decided_modes
        on
            transfers.emp_id = decided_modes.emp_id
            and transfers.transfer_date = decided_modes.transfer_date
)

select * from final
