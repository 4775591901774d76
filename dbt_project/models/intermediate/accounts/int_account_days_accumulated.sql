{{
    config(
        materialized='incremental',
        incremental_strategy='partitioned_delete_insert',
        partition_by='biz_date',
        unique_key='biz_date',
        incremental_predicates=[window_filter('biz_date')],
        indexes=[{'columns': ['biz_date'], 'type': 'brin'}],
        pre_hook=[
            "{{ assert_window_follows('biz_date') }}",
            "{{ assert_window_is_latest('biz_date', same_year_only=true) }}",
        ],
        post_hook=["{{ analyze_partitioned() }}"],
    )
}}

{%- set periods = {'m': 'month', 'q': 'quarter', 'y': 'year'} %}
{#- what describes an account on a day: taken from its snapshot, or carried while it is absent #}
{%- set attribute_columns = [
    'acct_type', 'acct_no', 'sub_acct_no', 'biz_date', 'org_id', 'cust_id',
    'mgr_emp_id', 'subject_code', 'product_line', 'customer_segment',
    'acct_status', 'five_class', 'is_small_enterprise', 'annual_rate', 'risk_weight',
    'open_date', 'maturity_date', 'close_date',
] %}
{#- A night (a one-day window) takes each account's running sums from the day before plus the day's balance:
    the window functions below give the same for a one-day window, at the cost of sorting every account-day
    of the window and of the day before (most of a night's time for this model at a million accounts).
    The doc decision_night_path says how the two are held to the same rows. #}
{%- set single_day = is_one_day_window() %}

with

account_balances as (
    select * from {{ ref('int_account_balances_converted') }}
),

previous_rows as (
    select * from {{ this_or_empty() }}
),

window_bounds as (
    select
        min({{ window_start('account_balances.biz_date') }}) as first_date,
        max({{ window_end('account_balances.biz_date') }}) as last_date
    from account_balances
),

carried_rows as (
    -- the rows of the day before the window: each account's running sums so far (none on a
    -- first build, where the warehouse's history starts)
    select previous_rows.*
    from previous_rows
    where previous_rows.biz_date = {{ window_start('(select window_bounds.first_date from window_bounds)') }} - 1
),

night_rows as (  -- noqa: ST03
    -- (final reads it when the window is one day: a night)
    -- each account in the day's snapshot, or carried from the day before while its year goes on; its
    -- running sums go on from the day before's within the same period (a missing FX rate keeps the rest of
    -- the period's CNY sum null), the day adding its balance, or 0 when the account is absent
    select
        coalesce(account_balances.acct_type, carried_rows.acct_type) as acct_type,
        coalesce(account_balances.acct_no, carried_rows.acct_no) as acct_no,
        coalesce(account_balances.sub_acct_no, carried_rows.sub_acct_no) as sub_acct_no,
        {{ window_start('null::date') }} as biz_date,
        account_balances.acct_no is not null as is_present,
        account_balances.balance,
        account_balances.impairment,
        account_balances.accrued_unpaid_int,
        account_balances.int_income,
        account_balances.cny_rate,
        account_balances.day_basis,
        {%- for suffix, period in periods.items() %}
            {%- for amount in ['balance', 'balance_cny'] %}
                {%- set added = 'case when account_balances.acct_no is null then 0 else account_balances.'
                    ~ amount ~ ' end' %}
                {{ carried_running_sum('carried_rows', 'cum_' ~ amount ~ '_' ~ suffix, added, period) }}
                    as cum_{{ amount }}_{{ suffix }},
            {%- endfor %}
        {%- endfor %}
        {%- for column in attribute_columns if column not in ['acct_type', 'acct_no', 'sub_acct_no', 'biz_date'] %}
            case
                when account_balances.acct_no is not null then account_balances.{{ column }}
                else carried_rows.{{ column }}
            end as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from account_balances
    full outer join carried_rows
        on
            account_balances.acct_type = carried_rows.acct_type
            and account_balances.acct_no = carried_rows.acct_no
            and account_balances.sub_acct_no = carried_rows.sub_acct_no
    where
        account_balances.acct_no is not null
        or {{ period_start('carried_rows.biz_date', 'year') }} = {{ period_start(window_start('null::date'), 'year') }}
),

window_days as (
    select calendar_days.calendar_day::date as biz_date
    from window_bounds
    cross join lateral generate_series(
        window_bounds.first_date::timestamp, window_bounds.last_date::timestamp, interval '1 day'
    ) as calendar_days (calendar_day)
),

window_accounts as (
    -- every account that can have a row in the window: seen in it, or carried into it
    select
        acct_type,
        acct_no,
        sub_acct_no
    from account_balances
    union
    select
        acct_type,
        acct_no,
        sub_acct_no
    from carried_rows
),

account_days as (
    -- each account on each day of the window, plus its carried-in row on the day before
    select
        window_accounts.acct_type,
        window_accounts.acct_no,
        window_accounts.sub_acct_no,
        window_days.biz_date,
        false as is_carried_in
    from window_accounts
    cross join window_days
    union all
    select
        acct_type,
        acct_no,
        sub_acct_no,
        biz_date,
        true as is_carried_in
    from carried_rows
),

daily_contributions as (
    -- what each day adds to the running sums: the day's balance (0 when the account is absent
    -- from the snapshot), or, for the carried-in row, the sums up to the day before the window
    select
        account_days.acct_type,
        account_days.acct_no,
        account_days.sub_acct_no,
        account_days.biz_date,
        account_days.is_carried_in,
        account_balances.acct_no is not null as is_present,
        account_balances.acct_no is not null or account_days.is_carried_in as has_attributes,
        account_balances.balance,
        account_balances.impairment,
        account_balances.accrued_unpaid_int,
        account_balances.int_income,
        account_balances.cny_rate,
        account_balances.day_basis,
        {%- for suffix in periods %}
            case
                when account_days.is_carried_in then carried_rows.cum_balance_{{ suffix }}
                when account_balances.acct_no is null then 0
                else account_balances.balance
            end as added_{{ suffix }},
            case
                when account_days.is_carried_in then carried_rows.cum_balance_cny_{{ suffix }}
                when account_balances.acct_no is null then 0
                else account_balances.balance_cny
            end as added_cny_{{ suffix }},
        {%- endfor %}
        account_days.biz_date - 1 as previous_date
    from account_days
    left join account_balances
        on
            account_days.acct_type = account_balances.acct_type
            and account_days.acct_no = account_balances.acct_no
            and account_days.sub_acct_no = account_balances.sub_acct_no
            and account_days.biz_date = account_balances.biz_date
    left join carried_rows
        on
            account_days.acct_type = carried_rows.acct_type
            and account_days.acct_no = carried_rows.acct_no
            and account_days.sub_acct_no = carried_rows.sub_acct_no
            and account_days.biz_date = carried_rows.biz_date
),

running_sums as (
    -- each period's sum runs from its first day (the partition); a missing FX rate makes the
    -- rest of the period's CNY sum null instead of silently too small
    select
        *,
        {%- for suffix in periods %}
            {{ sum_unless_null('added_' ~ suffix, 'by_account_' ~ suffix) }} as cum_balance_{{ suffix }},
            {{ sum_unless_null('added_cny_' ~ suffix, 'by_account_' ~ suffix) }} as cum_balance_cny_{{ suffix }},
        {%- endfor %}
        max(case when has_attributes then biz_date end) over by_account as attributes_date,
        bool_or(has_attributes) over by_account_y as is_in_year
    from daily_contributions
    window
        {%- for suffix, period in periods.items() %}
            by_account_{{ suffix }} as (
                partition by acct_type, acct_no, sub_acct_no, {{ period_start('biz_date', period) }}
                order by biz_date
            ),
        {%- endfor %}
        by_account as (partition by acct_type, acct_no, sub_acct_no order by biz_date)
),

attribute_rows as (
    -- the rows that describe an account: each day's snapshot and the carried-in row
    select
        {{ attribute_columns | join(',\n        ') }}
    from account_balances
    union all
    select
        {{ attribute_columns | join(',\n        ') }}
    from carried_rows
),

account_rows as (
    -- a row exists on each day from the account's first snapshot of the year on; on a day it
    -- is absent it takes the last known attributes
    select
        running_sums.*,
        attribute_rows.org_id,
        attribute_rows.cust_id,
        attribute_rows.mgr_emp_id,
        attribute_rows.subject_code,
        attribute_rows.product_line,
        attribute_rows.customer_segment,
        attribute_rows.acct_status,
        attribute_rows.five_class,
        attribute_rows.is_small_enterprise,
        attribute_rows.annual_rate,
        attribute_rows.risk_weight,
        attribute_rows.open_date,
        attribute_rows.maturity_date,
        attribute_rows.close_date
    from running_sums
    inner join attribute_rows
        on
            running_sums.acct_type = attribute_rows.acct_type
            and running_sums.acct_no = attribute_rows.acct_no
            and running_sums.sub_acct_no = attribute_rows.sub_acct_no
            and running_sums.attributes_date = attribute_rows.biz_date
    where
        not running_sums.is_carried_in
        and running_sums.is_in_year
),

final as (
    select
        -- key
        biz_date::date as biz_date,
        acct_type::text as acct_type,
        acct_no::text as acct_no,
        sub_acct_no::text as sub_acct_no,
        -- attributes of the day, or the last known ones while the account is carried (what can
        -- change in an account's life; currency, deposit class, term and loan method are
        -- dim_account's, which fct_account_daily joins)
        org_id::text as org_id,
        cust_id::text as cust_id,
        mgr_emp_id::text as mgr_emp_id,
        subject_code::text as subject_code,
        product_line::text as product_line,
        customer_segment::text as customer_segment,
        acct_status::text as acct_status,
        five_class::smallint as five_class,
        coalesce(is_small_enterprise, false)::boolean as is_small_enterprise,
        is_present::boolean as is_present,
        -- the day's amounts in the account's currency: 0 on a day the account is absent (loan-only
        -- amounts stay null on deposits); CNY is day_amount_cny() of these at cny_rate
        (case when is_present then balance else 0 end)::numeric(20, 2) as balance,
        (case when is_present then impairment when acct_type = 'LOAN' then 0 end)::numeric(20, 2) as impairment,
        (case when is_present then accrued_unpaid_int when acct_type = 'LOAN' then 0 end)::numeric(20, 2)
            as accrued_unpaid_int,
        (case when is_present then int_income when acct_type = 'LOAN' then 0 end)::numeric(20, 2) as int_income,
        -- rates (the day's FX rate and basis; null on a day the account is absent)
        cny_rate::numeric(14, 6) as cny_rate,
        annual_rate::numeric(14, 6) as annual_rate,
        day_basis::smallint as day_basis,
        risk_weight::numeric(9, 2) as risk_weight,
        -- dates
        open_date::date as open_date,
        maturity_date::date as maturity_date,
        close_date::date as close_date,
        -- period sums (积数), in the account's currency and in CNY (each day at that day's rate);
        -- the averages (日均) are these over the days elapsed, computed in fct_account_daily
        cum_balance_m::numeric(24, 2) as cum_balance_m,
        cum_balance_q::numeric(24, 2) as cum_balance_q,
        cum_balance_y::numeric(24, 2) as cum_balance_y,
        cum_balance_cny_m::numeric(24, 2) as cum_balance_cny_m,
        cum_balance_cny_q::numeric(24, 2) as cum_balance_cny_q,
        cum_balance_cny_y::numeric(24, 2) as cum_balance_cny_y
    -- a night's rows, or the window's (the same for a one-day window, at the cost of its sorts)
    from {{ 'night_rows' if single_day else 'account_rows' }}
)

select * from final
