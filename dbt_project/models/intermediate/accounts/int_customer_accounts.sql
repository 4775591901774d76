{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        post_hook=["analyze {{ this }}"],
    )
}}

{#- Every account a customer has held on some day of the account-day history: appended each night from
    the window's account-days (a set-based anti-join: only the pairs not known yet), the whole history on
    a first build. A superset of a customer's accounts on any day (a pair stays when an account changes
    customer, or when a rerun replaces the day that showed it): a reader checks the account-day's
    customer. Its size grows with the accounts, not with the days. #}
with

account_days as (
    select * from {{ ref('int_account_days_accumulated') }}
    where
        {%- if is_incremental() %}
            {{ window_filter('biz_date') }}
        {%- else %}
            biz_date <= {{ window_end("'infinity'::date") }}
        {%- endif %}
),

seen_pairs as (
    select distinct
        cust_id,
        acct_type,
        acct_no,
        sub_acct_no
    from account_days
    where cust_id is not null
),

new_pairs as (
    select seen_pairs.*
    from seen_pairs
    {%- if is_incremental() %}
        where not exists (
            select 1
            from {{ this }} as known_pairs
            where
                known_pairs.cust_id = seen_pairs.cust_id
                and known_pairs.acct_type = seen_pairs.acct_type
                and known_pairs.acct_no = seen_pairs.acct_no
                and known_pairs.sub_acct_no = seen_pairs.sub_acct_no
        )
    {%- endif %}
),

final as (
    select
        cust_id::text as cust_id,
        acct_type::text as acct_type,
        acct_no::text as acct_no,
        sub_acct_no::text as sub_acct_no
    from new_pairs
)

select * from final
