-- rules.md, Calibers: the head office's additive figures are equal in both calibers, every day.
-- Fails with each day and classification of the rebuilt days where the head office's (the root of
-- the attribution tree) assessment and accounting balances or period sums differ.
with

subject_balances as (
    select * from {{ ref('mart_subject_balance_daily') }}
),

institutions as (
    select * from {{ ref('dim_institution') }}
),

head_offices as (
    select distinct institutions.org_id
    from institutions
    where institutions.parent_org_id is null
),

head_office_rows as (
    select subject_balances.*
    from subject_balances
    inner join head_offices
        on subject_balances.subject_id = head_offices.org_id
    where
        subject_balances.subject_type = 'ORG'
        and {{ rebuilt_days_filter('subject_balances.biz_date') }}
),

by_caliber as (
    select
        biz_date,
        subject_id,
        acct_type,
        product_line,
        customer_segment,
        deposit_class,
        currency,
        is_npl,
        is_loan_customer,
        is_small_enterprise,
        sum(balance_cny) filter (where caliber = 'ASSESSMENT') as assessment_balance_cny,
        sum(balance_cny) filter (where caliber = 'ACCOUNTING') as accounting_balance_cny,
        sum(cum_balance_cny_y) filter (where caliber = 'ASSESSMENT') as assessment_cum_y,
        sum(cum_balance_cny_y) filter (where caliber = 'ACCOUNTING') as accounting_cum_y
    from head_office_rows
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
),

differences as (
    select *
    from by_caliber
    where
        coalesce(assessment_balance_cny, 0) <> coalesce(accounting_balance_cny, 0)
        or coalesce(assessment_cum_y, 0) <> coalesce(accounting_cum_y, 0)
)

select * from differences
