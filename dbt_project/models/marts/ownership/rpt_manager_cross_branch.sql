{{ config(materialized='view') }}

{#- 跨机构业绩明细: accounts a manager owns that were opened at another institution — one that is
    neither the manager's own institution nor one of its ancestors that day (a team member owning
    an account of his own sub-branch is not cross-branch). -#}

with

performance_rows as (
    select * from {{ ref('rpt_manager_performance_detail') }}
),

ancestors as (
    select * from {{ ref('bridge_institution_ancestor') }}
),

final as (
    select
        performance_rows.biz_date,
        performance_rows.emp_id,
        performance_rows.emp_name,
        performance_rows.owner_org_id,
        performance_rows.acct_type,
        performance_rows.acct_no,
        performance_rows.sub_acct_no,
        performance_rows.acct_name,
        performance_rows.cust_id,
        performance_rows.open_date,
        performance_rows.currency,
        performance_rows.term_code,
        performance_rows.subject_code,
        performance_rows.product_line,
        performance_rows.open_org_id,
        performance_rows.portion,
        performance_rows.source,
        performance_rows.balance_cny,
        performance_rows.share,
        performance_rows.alloc_balance_cny,
        performance_rows.avg_alloc_balance_cny_m,
        performance_rows.avg_alloc_balance_cny_y
    from performance_rows
    where not exists (
        select 1 from ancestors
        where
            ancestors.org_id = performance_rows.owner_org_id
            and ancestors.ancestor_org_id = performance_rows.open_org_id
            and performance_rows.biz_date >= ancestors.valid_from
            and performance_rows.biz_date <= coalesce(ancestors.valid_to, 'infinity'::date)
    )
)

select * from final
