-- A carried row (account absent from the day's snapshot) counts 0 that day: balance and CNY
-- balance are 0 and it has no day rate. Fails with each carried row of the window that has
-- an amount or a rate.
with

account_days as (
    select * from {{ ref('fct_account_daily') }}
    where {{ window_filter('biz_date') }}
),

broken as (
    select
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no
    from account_days
    where
        not is_present
        and (
            balance <> 0
            or balance_cny <> 0
            or cny_rate is not null
            or day_basis is not null
        )
)

select * from broken
