{{ config(materialized='table', tags=['daily'], post_hook=['analyze {{ this }}']) }}

{#- REL rows in force on each account-day being built, with the total of their set: a set of at
    most 100 % is valid (rules.md, Ownership 2), over 100 % is invalid that day. -#}

with

account_days as (
    select * from {{ ref('int_ownership_account_days') }}
),

applied_versions as (
    select * from {{ ref('int_account_relations_applied') }}
),

latest_relations as (
    -- the relations the warehouse applies to each account (the REL snapshot of its last day in the
    -- ledger, as of this build), to every day being built: a relation dated back restates the days
    -- it covers
    select
        acct_type,
        acct_no,
        sub_acct_no,
        emp_id,
        share_pct,
        start_date,
        end_date
    from ({{ latest_relation_versions('applied_versions') }}) as current_versions
    where emp_id is not null
),

relation_owners as (
    select
        account_days.biz_date,
        account_days.acct_type,
        account_days.acct_no,
        account_days.sub_acct_no,
        account_days.open_org_id,
        latest_relations.emp_id,
        latest_relations.share_pct,
        latest_relations.start_date as relation_start_date,
        sum(latest_relations.share_pct) over by_account_day as total_share_pct
    from account_days
    inner join latest_relations
        on
            account_days.acct_type = latest_relations.acct_type
            and account_days.acct_no = latest_relations.acct_no
            and account_days.sub_acct_no = latest_relations.sub_acct_no
            and account_days.biz_date >= latest_relations.start_date
            and account_days.biz_date <= coalesce(latest_relations.end_date, 'infinity'::date)
    window by_account_day as (
        partition by account_days.acct_type, account_days.acct_no, account_days.sub_acct_no, account_days.biz_date
    )
),

final as (
    select
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no,
        open_org_id,
        emp_id,
        share_pct,
        relation_start_date,
        total_share_pct,
        total_share_pct <= 100 as is_valid_set
    from relation_owners
)

select * from final
