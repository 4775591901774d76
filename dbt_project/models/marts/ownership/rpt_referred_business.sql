{{ config(materialized='view') }}

with

referrals as (
    select * from {{ ref('dim_referrals') }}
),

account_days as (
    select * from {{ ref('fct_account_daily') }}
),

referred_days as (
    -- each day of a referred account while its agreement is in force
    select
        account_days.biz_date,
        account_days.acct_type,
        account_days.acct_no,
        account_days.sub_acct_no,
        account_days.cust_id,
        account_days.org_id as booking_org_id,
        referrals.referring_org_id,
        referrals.department_org_id,
        referrals.referrer_share_pct,
        account_days.balance_cny,
        account_days.avg_balance_cny_y
    from referrals
    inner join account_days
        on
            referrals.acct_type = account_days.acct_type
            and referrals.acct_no = account_days.acct_no
            and referrals.sub_acct_no = account_days.sub_acct_no
            and referrals.valid_from <= account_days.biz_date
            and coalesce(referrals.valid_to, 'infinity'::date) >= account_days.biz_date
),

final as (
    select
        -- key
        biz_date::date as biz_date,
        acct_type::text as acct_type,
        acct_no::text as acct_no,
        sub_acct_no::text as sub_acct_no,
        -- who
        cust_id::text as cust_id,
        booking_org_id::text as booking_org_id,
        referring_org_id::text as referring_org_id,
        department_org_id::text as department_org_id,
        -- the agreed split
        referrer_share_pct::numeric(9, 4) as referrer_share_pct,
        balance_cny::numeric(20, 2) as balance_cny,
        round(balance_cny * referrer_share_pct / 100, 2)::numeric(20, 2) as referrer_balance_cny,
        (balance_cny - round(balance_cny * referrer_share_pct / 100, 2))::numeric(20, 2) as department_balance_cny,
        avg_balance_cny_y::numeric(26, 6) as avg_balance_cny_y,
        round(avg_balance_cny_y * referrer_share_pct / 100, 6)::numeric(26, 6) as referrer_avg_balance_cny_y,
        (avg_balance_cny_y - round(avg_balance_cny_y * referrer_share_pct / 100, 6))::numeric(26, 6)
            as department_avg_balance_cny_y
    from referred_days
)

select * from final
