{{ config(materialized='view') }}

{#- 客户经理业绩明细: what each manager owns, account by account, day by day. A view over the
    owner facts (filter on biz_date and emp_id: both tables are organised by biz_date). -#}

with

owner_rows as (
    select * from {{ ref('fct_account_owner_daily') }}
),

account_days as (
    select * from {{ ref('fct_account_daily') }}
),

accounts as (
    select * from {{ ref('dim_account') }}
),

employees as (
    select * from {{ ref('dim_employee') }}
),

final as (
    select
        owner_rows.biz_date,
        owner_rows.emp_id,
        employees.emp_name,
        owner_rows.owner_org_id,
        owner_rows.acct_type,
        owner_rows.acct_no,
        owner_rows.sub_acct_no,
        accounts.acct_name,
        account_days.cust_id,
        account_days.open_date,
        account_days.currency,
        account_days.term_code,
        account_days.subject_code,
        account_days.product_line,
        owner_rows.open_org_id,
        owner_rows.portion,
        owner_rows.source,
        owner_rows.balance_cny,
        owner_rows.share,
        owner_rows.alloc_balance_cny,
        owner_rows.avg_alloc_balance_cny_m,
        owner_rows.avg_alloc_balance_cny_y
    from owner_rows
    inner join account_days
        on
            owner_rows.biz_date = account_days.biz_date
            and owner_rows.acct_type = account_days.acct_type
            and owner_rows.acct_no = account_days.acct_no
            and owner_rows.sub_acct_no = account_days.sub_acct_no
    left join accounts
        on
            owner_rows.acct_type = accounts.acct_type
            and owner_rows.acct_no = accounts.acct_no
            and owner_rows.sub_acct_no = accounts.sub_acct_no
    left join employees
        on
            owner_rows.emp_id = employees.emp_id
            and owner_rows.biz_date >= employees.valid_from
            and owner_rows.biz_date <= coalesce(employees.valid_to, 'infinity'::date)
    where owner_rows.source <> 'ENDED'
)

select * from final
