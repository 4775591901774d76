-- The owners' period figures add up to the account's: for every account-day decided by this
-- build, the sum over its owners (former owners' zero-share rows included) of the month, quarter
-- and year cumulative allocated balance equals the account's cumulative CNY balance.
{%- set periods = ['m', 'q', 'y'] %}

with

account_days as (
    {{ restated_account_days(ref('fct_account_daily')) }}
),

owner_rows as (
    {{ restated_account_days(ref('fct_account_owner_daily')) }}
),

owner_totals as (
    select
        {%- for suffix in periods %}
            sum(owner_rows.cum_alloc_balance_cny_{{ suffix }}) as cum_alloc_balance_cny_{{ suffix }},
        {%- endfor %}
        owner_rows.biz_date,
        owner_rows.acct_type,
        owner_rows.acct_no,
        owner_rows.sub_acct_no
    from owner_rows
    group by owner_rows.biz_date, owner_rows.acct_type, owner_rows.acct_no, owner_rows.sub_acct_no
),

mismatches as (
    select
        account_days.biz_date,
        account_days.acct_type,
        account_days.acct_no,
        account_days.sub_acct_no
    from account_days
    inner join owner_totals
        on
            account_days.biz_date = owner_totals.biz_date
            and account_days.acct_type = owner_totals.acct_type
            and account_days.acct_no = owner_totals.acct_no
            and account_days.sub_acct_no = owner_totals.sub_acct_no
    where
        false
        {%- for suffix in periods %}
            or account_days.cum_balance_cny_{{ suffix }}
            is distinct from owner_totals.cum_alloc_balance_cny_{{ suffix }}
        {%- endfor %}
)

select * from mismatches
