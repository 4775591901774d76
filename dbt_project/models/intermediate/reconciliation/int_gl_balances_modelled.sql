{{ config(materialized="view", tags=["daily"]) }}

with

gl_balances as (
    select * from {{ ref('stg_core__gl_balances') }}
),

subject_products as (
    select * from {{ ref('subject_products') }}
),

final as (
    -- GL lines of the subjects the warehouse models (deposits and loans); the other
    -- subjects (cash, interbank placements...) have no account detail to reconcile
    select
        gl_balances.biz_date,
        gl_balances.org_id,
        gl_balances.subject_code,
        gl_balances.currency,
        gl_balances.dr_cr,
        gl_balances.balance as gl_balance
    from gl_balances
    inner join subject_products
        on gl_balances.subject_code = subject_products.subject_code::text
    where subject_products.acct_type in ('DEP', 'LOAN')
)

select * from final
