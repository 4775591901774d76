-- rules.md: cumulative balance = sum of the daily balances from the period's first day.
-- Day by day: cum(D) = cum(D - 1) + balance(D) within a period, and cum = balance(D) on the
-- period's first day (or when the account has no row on D - 1). Checks the window's days
-- against the day before, so its cost stays flat; fails with each row that breaks it.
{%- set periods = {'m': 'month', 'q': 'quarter', 'y': 'year'} %}

with

account_days as (
    -- only the columns checked: the view computes no more than they need
    select
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no,
        {%- for suffix in periods %}
            {%- for money in ['balance', 'balance_cny'] %}
                cum_{{ money }}_{{ suffix }},
            {%- endfor %}
        {%- endfor %}
        balance,
        balance_cny
    from {{ ref('fct_account_daily') }}
    where
        biz_date between {{ window_start("'-infinity'::date") }} - 1 and {{ window_end("'infinity'::date") }}
),

window_days as (
    select * from account_days
    where {{ window_filter('biz_date') }}
),

previous_days as (
    -- the days before one of the window's (all but its last)
    select * from account_days
    where biz_date < {{ window_end("'infinity'::date") }}
),

mismatches as (
    select
        window_days.biz_date,
        window_days.acct_type,
        window_days.acct_no,
        window_days.sub_acct_no
    from window_days
    left join previous_days
        on
            window_days.acct_type = previous_days.acct_type
            and window_days.acct_no = previous_days.acct_no
            and window_days.sub_acct_no = previous_days.sub_acct_no
            and window_days.biz_date - 1 = previous_days.biz_date
    where
        false
        {%- for suffix, period in periods.items() %}
            {%- for money in ['balance', 'balance_cny'] %}
                or window_days.cum_{{ money }}_{{ suffix }} is distinct from (
                    case
                        when window_days.biz_date = {{ period_start('window_days.biz_date', period) }}
                            then 0
                        else coalesce(previous_days.cum_{{ money }}_{{ suffix }}, 0)
                    end
                    + window_days.{{ money }}
                )
            {%- endfor %}
        {%- endfor %}
)

select * from mismatches
