{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='biz_date',
        incremental_predicates=[window_filter('biz_date')],
        indexes=[{'columns': ['biz_date'], 'type': 'brin'}],
        post_hook=["analyze {{ this }}"],
    )
}}

with

settlements as (
    select * from {{ ref('int_intl_settlements_converted') }}
),

employees as (
    select * from {{ ref('dim_employee') }}
),

routed_settlements as (
    -- rules.md: international settlement counts to its emp_id (an employee known that day), else
    -- to the virtual manager of its institution
    select
        settlements.*,
        coalesce(employees.emp_id, {{ virtual_manager_id('settlements.org_id') }}) as owner_emp_id,
        coalesce(employees.org_id, settlements.org_id) as owner_org_id,
        case when employees.emp_id is not null then 'EMP' else 'VIRTUAL' end as routing
    from settlements
    left join employees
        on
            settlements.emp_id = employees.emp_id
            and settlements.biz_date >= employees.valid_from
            and settlements.biz_date <= coalesce(employees.valid_to, 'infinity'::date)
),

final as (
    select
        -- key
        biz_date::date as biz_date,
        txn_id::text as txn_id,
        -- the owner
        owner_emp_id::text as emp_id,
        owner_org_id::text as owner_org_id,
        routing::text as routing,
        -- the transaction as recorded
        org_id::text as org_id,
        emp_id::text as recorded_emp_id,
        cust_id::text as cust_id,
        settle_type::text as settle_type,
        currency::text as currency,
        amount::numeric(20, 2) as amount,
        cny_rate::numeric(14, 6) as cny_rate,
        amount_cny::numeric(20, 2) as amount_cny,
        txn_date::date as txn_date
    from routed_settlements
)

select * from final
