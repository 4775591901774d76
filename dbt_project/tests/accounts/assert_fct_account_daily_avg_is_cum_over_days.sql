-- rules.md: average daily balance = cumulative balance / (D - period start + 1).
-- Fails with each row of the window whose average times the days elapsed does not give back
-- the cumulative to the fen, in any period or currency.
{%- set periods = {'m': 'month', 'q': 'quarter', 'y': 'year'} %}

with

account_days as (
    select * from {{ ref('fct_account_daily') }}
    where {{ window_filter('biz_date') }}
),

mismatches as (
    select
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no
    from account_days
    where
        false
        {%- for suffix, period in periods.items() %}
            {%- for money in ['balance', 'balance_cny'] %}
                or round(avg_{{ money }}_{{ suffix }} * {{ days_elapsed('biz_date', period) }}, 2)
                is distinct from cum_{{ money }}_{{ suffix }}
            {%- endfor %}
        {%- endfor %}
)

select * from mismatches
