{{ config(materialized='view', tags=['daily']) }}

{#- Who the indicators are evaluated for, as effective-dated versions: every employee version on
    the books (status A) and every virtual manager, in the assessment caliber; every institution
    version of the tree, in both calibers. The indicator facts join their days to it. -#}

with

employees as (
    select * from {{ ref('dim_employee') }}
),

institutions as (
    select * from {{ ref('dim_institution') }}
),

employee_subjects as (
    select
        'EMP'::text as subject_type,
        employees.emp_id::text as subject_id,
        'ASSESSMENT'::text as caliber,
        employees.valid_from::date as valid_from,
        employees.valid_to::date as valid_to,
        employees.emp_name::text as subject_name,
        (case when employees.is_virtual then 'VIRTUAL' else employees.post_code end)::text as subject_kind,
        null::integer as subject_level,
        employees.org_id::text as parent_org_id
    from employees
    where employees.status = 'A'
),

institution_subjects as (
    select
        'ORG'::text as subject_type,
        institutions.org_id::text as subject_id,
        calibers.caliber::text as caliber,
        institutions.valid_from::date as valid_from,
        institutions.valid_to::date as valid_to,
        institutions.org_name::text as subject_name,
        institutions.org_type::text as subject_kind,
        institutions.org_level::integer as subject_level,
        institutions.parent_org_id::text as parent_org_id
    from institutions
    cross join (values ('ASSESSMENT'), ('ACCOUNTING')) as calibers (caliber)
),

final as (
    select * from employee_subjects
    union all
    select * from institution_subjects
)

select * from final
