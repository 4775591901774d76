{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='biz_date',
        incremental_predicates=[window_filter('biz_date')],
        tags=['daily'],
        indexes=[
            {'columns': ['biz_date'], 'type': 'brin'},
            {'columns': ['cust_id']},
        ],
        pre_hook=[
            "{{ assert_window_follows('biz_date') }}",
            "{{ assert_window_is_latest('biz_date', same_year_only=true) }}",
        ],
        post_hook=["analyze {{ this }}"],
    )
}}

{%- set sides = {'DEP': 'deposit', 'LOAN': 'loan'} %}
{%- set first_date = window_bound('min_date') %}
{%- set last_date = window_bound('max_date') %}
{#- A month- or year-end before the window that this table already holds is read from its own rows of
    that day (the customers' balances as that night summed them) instead of being summed again from
    fct_account_daily: a night reads one day of account rows, not up to three (the day, the previous
    month-end and the previous year-end: a million account rows each at a million accounts). -#}
{%- set stored_ends = [] %}
{%- set summed_dates = none %}
{%- if first_date is not none and last_date is not none %}
    {%- set needed_dates = window_and_period_end_dates(first_date, last_date, ['month', 'year']) %}
    {%- set ends_before = needed_dates | select('lt', modules.datetime.date.fromisoformat(first_date)) | list %}
    {%- if is_incremental() and execute and ends_before %}
        {#- which of them it holds: one row's probe each (a distinct over the days read every customer) #}
        {%- set held = run_query(
            'select ends.biz_date from unnest(array[' ~ date_literals(ends_before) ~ ']) as ends (biz_date)'
            ~ ' where exists (select 1 from ' ~ this ~ ' as stored where stored.biz_date = ends.biz_date)'
        ) %}
        {%- set stored_ends = held.columns[0].values() | list %}
    {%- endif %}
    {%- set summed_dates = needed_dates | reject('in', stored_ends) | list %}
{%- endif %}
with

calendar_dates as (
    select * from {{ ref('dim_date') }}
),

account_days as (
    -- only the columns read: the view then computes no more than they need (read twice, this is
    -- materialized)
    select
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no,
        cust_id,
        is_present,
        balance_cny,
        avg_balance_cny_m,
        avg_balance_cny_y
    from {{ ref('fct_account_daily') }}
    {%- if summed_dates is not none %}
        -- the window's days and the month- and year-ends they compare with that this table does not
        -- hold yet, as literals
        where biz_date in ({{ date_literals(summed_dates) }})
    {%- endif %}
),

account_profits as (
    -- the FTP fact itself (its profit sums and keys are all this model reads of it)
    select * from {{ ref('fct_account_ftp_daily') }}
    where {{ window_filter('biz_date') }}
),

fee_allocations as (
    select * from {{ ref('fct_fee_allocations') }}
),

customers as (
    select * from {{ ref('dim_customer') }}
),

window_bounds as (
    select
        {{ window_start('(select min(account_profits.biz_date) from account_profits)') }} as first_date,
        {{ window_end('(select max(account_profits.biz_date) from account_profits)') }} as last_date
),

calendar as (
    select calendar_dates.biz_date
    from window_bounds
    inner join calendar_dates
        on calendar_dates.biz_date between window_bounds.first_date and window_bounds.last_date
),

needed_dates as (
    -- the window's days and the month- and year-ends their changes compare with
    select biz_date as needed_date from calendar
    union
    select {{ period_start('biz_date', 'month') }} - 1 from calendar
    union
    select {{ period_start('biz_date', 'year') }} - 1 from calendar
),

customer_balances as (
    select
        account_days.biz_date,
        account_days.cust_id,
        {%- for acct_type, side in sides.items() %}
            sum(account_days.balance_cny) filter (where account_days.acct_type = '{{ acct_type }}')
                as {{ side }}_balance_cny,
            sum(account_days.avg_balance_cny_m) filter (where account_days.acct_type = '{{ acct_type }}')
                as {{ side }}_avg_balance_cny_m,
            sum(account_days.avg_balance_cny_y) filter (where account_days.acct_type = '{{ acct_type }}')
                as {{ side }}_avg_balance_cny_y,
        {%- endfor %}
        count(*) filter (where account_days.is_present) as account_count
    from account_days
    where account_days.biz_date = any(array(select needed_dates.needed_date from needed_dates))
    group by account_days.biz_date, account_days.cust_id
),

customer_profits as (
    select
        {%- for acct_type, side in sides.items() %}
            sum(account_profits.ftp_profit_cny_m) filter (where account_profits.acct_type = '{{ acct_type }}')
                as {{ side }}_profit_cny_m,
            sum(account_profits.ftp_profit_cny_y) filter (where account_profits.acct_type = '{{ acct_type }}')
                as {{ side }}_profit_cny_y,
        {%- endfor %}
        account_profits.biz_date,
        account_days.cust_id
    from account_profits
    inner join account_days
        on
            account_profits.biz_date = account_days.biz_date
            and account_profits.acct_type = account_days.acct_type
            and account_profits.acct_no = account_days.acct_no
            and account_profits.sub_acct_no = account_days.sub_acct_no
    where {{ window_filter('account_days.biz_date') }}
    group by account_profits.biz_date, account_days.cust_id
),

customer_fees as (
    -- assessed fee income to date (the fees of the window's year so far: a few rows a day)
    select
        calendar.biz_date,
        fee_allocations.cust_id,
        sum(fee_allocations.assessed_amount_cny) filter (
            where fee_allocations.biz_date >= {{ period_start('calendar.biz_date', 'month') }}
        ) as fee_income_cny_m,
        sum(fee_allocations.assessed_amount_cny) as fee_income_cny_y
    from calendar
    inner join fee_allocations
        on
            {{ period_start('calendar.biz_date', 'year') }} <= fee_allocations.biz_date
            and calendar.biz_date >= fee_allocations.biz_date
    where fee_allocations.cust_id is not null
    group by calendar.biz_date, fee_allocations.cust_id
),

period_end_balances as (
    -- the customers' balances on the month- and year-ends the window compares with: summed above or,
    -- for an end before the window this table holds, its own rows of that day
    select
        biz_date,
        cust_id,
        deposit_balance_cny,
        loan_balance_cny
    from customer_balances
    {%- if stored_ends %}
    union all
    select
        biz_date,
        cust_id,
        deposit_balance_cny,
        loan_balance_cny
    from {{ this }}
    where biz_date in ({{ date_literals(stored_ends) }})
    {%- endif %}
),

customer_days as (
    select
        biz_date,
        cust_id
    from customer_balances
    where
        biz_date
        between (select window_bounds.first_date from window_bounds)
        and (select window_bounds.last_date from window_bounds)
    union
    select
        biz_date,
        cust_id
    from customer_fees
),

final as (
    select
        -- key
        customer_days.biz_date::date as biz_date,
        customer_days.cust_id::text as cust_id,
        -- the customer (current)
        customers.cust_name::text as cust_name,
        customers.customer_segment::text as customer_segment,
        customers.open_org_id::text as open_org_id,
        -- balances (accounting caliber: the whole customer), CNY
        {%- for side in sides.values() %}
            coalesce(day_balances.{{ side }}_balance_cny, 0)::numeric(22, 2) as {{ side }}_balance_cny,
            coalesce(day_balances.{{ side }}_avg_balance_cny_m, 0)::numeric(26, 6) as {{ side }}_avg_balance_cny_m,
            coalesce(day_balances.{{ side }}_avg_balance_cny_y, 0)::numeric(26, 6) as {{ side }}_avg_balance_cny_y,
            coalesce(month_end_balances.{{ side }}_balance_cny, 0)::numeric(22, 2)
                as {{ side }}_balance_cny_last_month_end,
            coalesce(year_end_balances.{{ side }}_balance_cny, 0)::numeric(22, 2)
                as {{ side }}_balance_cny_last_year_end,
            coalesce(customer_profits.{{ side }}_profit_cny_m, 0)::numeric(24, 2) as {{ side }}_profit_cny_m,
            coalesce(customer_profits.{{ side }}_profit_cny_y, 0)::numeric(24, 2) as {{ side }}_profit_cny_y,
        {%- endfor %}
        coalesce(customer_fees.fee_income_cny_m, 0)::numeric(24, 2) as fee_income_cny_m,
        coalesce(customer_fees.fee_income_cny_y, 0)::numeric(24, 2) as fee_income_cny_y,
        coalesce(day_balances.account_count, 0)::integer as account_count
    from customer_days
    left join customer_balances as day_balances
        on
            customer_days.biz_date = day_balances.biz_date
            and customer_days.cust_id = day_balances.cust_id
    left join period_end_balances as month_end_balances
        on
            {{ period_start('customer_days.biz_date', 'month') }} - 1 = month_end_balances.biz_date
            and customer_days.cust_id = month_end_balances.cust_id
    left join period_end_balances as year_end_balances
        on
            {{ period_start('customer_days.biz_date', 'year') }} - 1 = year_end_balances.biz_date
            and customer_days.cust_id = year_end_balances.cust_id
    left join customer_profits
        on
            customer_days.biz_date = customer_profits.biz_date
            and customer_days.cust_id = customer_profits.cust_id
    left join customer_fees
        on
            customer_days.biz_date = customer_fees.biz_date
            and customer_days.cust_id = customer_fees.cust_id
    left join customers
        on customer_days.cust_id = customers.cust_id
)

select * from final
