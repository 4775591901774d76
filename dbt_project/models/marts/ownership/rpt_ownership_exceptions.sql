{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        indexes=[{'columns': ['biz_date'], 'type': 'brin'}],
        pre_hook=[
            "{{ delete_restated_days(ref('int_ownership_restatements')) }}",
        ],
    )
}}

with

relation_sets as (
    select * from {{ ref('int_relation_sets_evaluated') }}
),

owners as (
    select * from {{ ref('int_account_owners_resolved') }}
),

invalid_sets as (
    -- rules.md: a REL set summing over 100 % is invalid that day: flagged, and the account falls
    -- through to the next rule
    select
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no,
        'REL_OVER_100' as exception_type,
        max(total_share_pct) as total_share_pct,
        string_agg(emp_id || ' ' || share_pct::text || '%', ', ' order by emp_id) as detail
    from relation_sets
    where not is_valid_set
    group by biz_date, acct_type, acct_no, sub_acct_no
),

replaced_owners as (
    -- an owner named by REL or an override who is not on the books that day
    select
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no,
        'OWNER_NOT_ON_BOOKS' as exception_type,
        null::numeric as total_share_pct,
        string_agg(
            'share of ' || original_emp_id || ' (' || source || ') given to ' || emp_id, ', ' order by emp_id
        ) as detail
    from owners
    where has_replaced_owner
    group by biz_date, acct_type, acct_no, sub_acct_no
),

final as (
    select
        biz_date::date as biz_date,
        acct_type::text as acct_type,
        acct_no::text as acct_no,
        sub_acct_no::text as sub_acct_no,
        exception_type::text as exception_type,
        total_share_pct::numeric(12, 4) as total_share_pct,
        detail::text as detail
    from invalid_sets
    union all
    select
        biz_date::date as biz_date,
        acct_type::text as acct_type,
        acct_no::text as acct_no,
        sub_acct_no::text as sub_acct_no,
        exception_type::text as exception_type,
        total_share_pct::numeric(12, 4) as total_share_pct,
        detail::text as detail
    from replaced_owners
)

select * from final
