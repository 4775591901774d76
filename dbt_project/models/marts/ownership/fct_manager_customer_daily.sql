{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        indexes=[
            {'columns': ['biz_date'], 'type': 'brin'},
            {'columns': ['emp_id', 'biz_date']},
        ],
        pre_hook=[
            "{{ delete_rebuilt_owner_days() }}",
        ],
        post_hook=["analyze {{ this }}"],
    )
}}

{#- Each owner's customers, one narrow row per business date × owner × customer held that day: the
    allocated deposit and loan balances. rpt_manager_customers (客户情况) compares them with the
    previous month-end and names the customer. -#}

with

owner_rows as (
    -- every owner in the window, the owners a restatement touched before it
    select * from {{ ref('fct_account_owner_daily') }}
    where
        {{ rebuilt_days_filter('biz_date') }}
        and {{ rebuilt_subject_days_filter('biz_date', "'EMP'", 'emp_id') }}
),

account_days as (
    {{ rebuilt_account_days(ref('fct_account_daily'), 'owner_rows') }}
),

final as (
    select
        owner_rows.biz_date::date as biz_date,
        owner_rows.emp_id::text as emp_id,
        account_days.cust_id::text as cust_id,
        coalesce(sum(owner_rows.alloc_balance_cny) filter (where owner_rows.acct_type = 'DEP'), 0)::numeric(22, 2)
            as deposit_balance_cny,
        coalesce(sum(owner_rows.alloc_balance_cny) filter (where owner_rows.acct_type = 'LOAN'), 0)::numeric(22, 2)
            as loan_balance_cny
    from owner_rows
    inner join account_days
        on
            owner_rows.biz_date = account_days.biz_date
            and owner_rows.acct_type = account_days.acct_type
            and owner_rows.acct_no = account_days.acct_no
            and owner_rows.sub_acct_no = account_days.sub_acct_no
    where owner_rows.share <> 0
    group by owner_rows.biz_date, owner_rows.emp_id, account_days.cust_id
)

select * from final
