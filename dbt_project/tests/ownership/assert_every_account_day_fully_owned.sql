-- rules.md, Ownership: shares of one account on one day always sum to exactly 100 %: every yuan
-- of every account is owned by someone on every day. Fails with each account-day of the days this
-- build decided (the window, and restated days) whose shares do not sum to 1, whose allocations
-- do not sum to its CNY balance, or that has no owner at all.
with

account_days as (
    {{ restated_account_days(ref('fct_account_daily')) }}
),

owner_rows as (
    {{ restated_account_days(ref('fct_account_owner_daily')) }}
),

owner_totals as (
    select
        owner_rows.biz_date,
        owner_rows.acct_type,
        owner_rows.acct_no,
        owner_rows.sub_acct_no,
        sum(owner_rows.share) as total_share,
        sum(owner_rows.alloc_balance_cny) as total_alloc_balance_cny
    from owner_rows
    group by owner_rows.biz_date, owner_rows.acct_type, owner_rows.acct_no, owner_rows.sub_acct_no
),

checked_accounts as (
    select account_days.*
    from account_days
),

failures as (
    select
        coalesce(checked_accounts.biz_date, owner_totals.biz_date) as biz_date,
        coalesce(checked_accounts.acct_type, owner_totals.acct_type) as acct_type,
        coalesce(checked_accounts.acct_no, owner_totals.acct_no) as acct_no,
        coalesce(checked_accounts.sub_acct_no, owner_totals.sub_acct_no) as sub_acct_no,
        checked_accounts.balance_cny,
        owner_totals.total_share,
        owner_totals.total_alloc_balance_cny
    from checked_accounts
    full outer join owner_totals
        on
            checked_accounts.biz_date = owner_totals.biz_date
            and checked_accounts.acct_type = owner_totals.acct_type
            and checked_accounts.acct_no = owner_totals.acct_no
            and checked_accounts.sub_acct_no = owner_totals.sub_acct_no
    where
        owner_totals.total_share is distinct from 1
        or owner_totals.total_alloc_balance_cny is distinct from checked_accounts.balance_cny
)

select * from failures
