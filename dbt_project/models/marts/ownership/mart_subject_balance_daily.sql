{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        indexes=[
            {'columns': ['biz_date'], 'type': 'brin'},
            {'columns': ['subject_type', 'subject_id']},
        ],
        pre_hook=[
            "{{ assert_window_follows('biz_date') }}",
            "{{ assert_window_is_latest('biz_date', same_year_only=true) }}",
            "{{ keep_replaced_subject_days() }}",
            "{{ delete_rebuilt_subject_days() }}",
        ],
        post_hook=["analyze {{ this }}"],
    )
}}

-- depends_on: {{ ref('fct_customer_daily') }}
-- depends_on: {{ ref('int_account_days_accumulated') }}
-- depends_on: {{ ref('dim_account') }}
{%- set periods = {'m': 'month', 'q': 'quarter', 'y': 'year'} %}
{%- set attributes = [
    'acct_type', 'product_line', 'customer_segment', 'deposit_class', 'currency', 'is_npl', 'is_loan_customer',
    'is_small_enterprise',
] %}
{%- set key = ['subject_type', 'subject_id', 'caliber'] + attributes %}
{#- A restatement's touched subjects are rebuilt before the window by difference (rebuilt_by_difference):
    their stored day amounts plus what the restated account-days changed, after less before; the day
    amounts are sums, so that is what a rebuild from every account-day they hold would give, at the cost
    of the changed account-days only. Only when every subject is rebuilt (a rerun, no window) are the
    owner rows and account days of the rebuilt days read. #}
{%- set by_difference = rebuilt_by_difference() %}
{%- set subjects = owner_restatement()['subjects'] if execute else none %}
{%- set read_days = window_filter('biz_date') if subjects is not none else rebuilt_days_filter('biz_date') %}
with

calendar_dates as (
    select * from {{ ref('dim_date') }}
),

owner_rows as (
    select * from {{ ref('fct_account_owner_daily') }}
    where {{ read_days }}
),

account_days as (
    select * from {{ ref('fct_account_daily') }}
    where {{ read_days }}
),

ancestors as (
    select * from {{ ref('bridge_institution_ancestor') }}
),

previous_rows as (
    -- the day before the rebuilt days: the running sums go on from it (the day before the window,
    -- or before the first restated day for the subjects a restatement touched)
    select * from {{ this_or_empty() }}
    where {{ carried_subject_rows_filter('biz_date', 'subject_type', 'subject_id', 'caliber') }}
),

{%- if by_difference %}

restated_owner_rows as (
    -- the owner rows of the account-days a restatement changed before the window, before and after
    {{ restated_owner_rows() }}
),

restated_account_days as (
    -- those account-days, through the key of the account-day history (PostgreSQL reaches the view
    -- fct_account_daily from a join only by reading every account-day of the restated span), with the
    -- attributes fixed for the account's life from dim_account
    select
        account_rows.biz_date,
        account_rows.acct_type,
        account_rows.acct_no,
        account_rows.sub_acct_no,
        account_rows.cust_id,
        account_rows.product_line,
        account_rows.customer_segment,
        accounts.deposit_class,
        accounts.currency,
        {{ is_npl('account_rows.five_class') }} as is_npl,
        account_rows.is_small_enterprise
    from (
        {{ changed_account_rows(ref('int_account_days_accumulated'), 'restated_owner_rows') }}
    ) as account_rows
    left join {{ ref('dim_account') }} as accounts
        on
            account_rows.acct_type = accounts.acct_type
            and account_rows.acct_no = accounts.acct_no
            and account_rows.sub_acct_no = accounts.sub_acct_no
),

restated_loan_customers as (
    -- their customers' credit business that day: a loan balance (loans are never negative, an
    -- expectation of raw LOAN), through the customer index of the customer-day fact
    select
        customer_days.biz_date,
        customer_days.cust_id
    from {{ ref('fct_customer_daily') }} as customer_days
    where
        customer_days.biz_date >= {{ first_rebuilt_day() }}
        and customer_days.biz_date < {{ window_start("'-infinity'::date") }}
        and customer_days.loan_balance_cny <> 0
        and customer_days.cust_id in (select restated_account_days.cust_id from restated_account_days)
),

replaced_subject_days as (
    -- the touched subjects' rows before the window as this build found them (keep_replaced_subject_days,
    -- run before they were deleted)
    select * from "{{ this.identifier }}__replaced"
),
{%- endif %}

rebuilt_days as (
    select
        {{ first_rebuilt_day() }} as first_date,
        {{ window_end("(select max(account_days.biz_date) from account_days)") }} as last_date
),

loan_customers as (
    -- customers with credit business that day (a loan with a balance): their deposits are not
    -- 无贷户存款 (no-loan-customer deposits)
    select distinct
        biz_date,
        cust_id
    from account_days
    where
        acct_type = 'LOAN'
        and balance <> 0
),

day_accounts as (
    select
        account_days.*,
        loan_customers.cust_id is not null as is_loan_customer
    from account_days
    left join loan_customers
        on
            account_days.biz_date = loan_customers.biz_date
            and account_days.cust_id = loan_customers.cust_id
),

{%- if by_difference %}

restated_owners as (
    -- each changed owner row, after (+) or before (-), with the account's classification that day
    select
        restated_owner_rows.biz_date,
        restated_owner_rows.emp_id,
        restated_owner_rows.owner_org_id,
        {%- for attribute in attributes %}
            {%- if attribute == 'is_loan_customer' %}
                restated_loan_customers.cust_id is not null as is_loan_customer,
            {%- else %}
                {{ comparable_attribute(attribute, 'restated_account_days') }} as {{ attribute }},
            {%- endif %}
        {%- endfor %}
        case when restated_owner_rows.side = 'AFTER' then 1 else -1 end * restated_owner_rows.alloc_balance_cny
            as alloc_balance_cny,
        case when restated_owner_rows.side = 'AFTER' then 1 else -1 end * restated_owner_rows.share as share
    from restated_owner_rows
    inner join restated_account_days
        on
            restated_owner_rows.biz_date = restated_account_days.biz_date
            and restated_owner_rows.acct_type = restated_account_days.acct_type
            and restated_owner_rows.acct_no = restated_account_days.acct_no
            and restated_owner_rows.sub_acct_no = restated_account_days.sub_acct_no
    left join restated_loan_customers
        on
            restated_account_days.biz_date = restated_loan_customers.biz_date
            and restated_account_days.cust_id = restated_loan_customers.cust_id
),

restated_differences as (
    -- what the restatement changed of each touched subject's day amounts (assessment caliber): to the
    -- owner, and through him to his institution that day and up the tree
    {{ owner_subject_amounts('restated_owners', attributes) }}
),

restated_subject_amounts as (
    -- the touched subjects' day amounts before the window: as stored, plus the differences (only the
    -- touched subjects': an institution above every owner of an account-day is unchanged by it); a
    -- subject-day has an amount when some owner row counts to it (its shares sum to more than 0)
    select
        {%- for column in key %}
            {{ column }},
        {%- endfor %}
        biz_date,
        sum(balance_cny) as balance_cny,
        sum(account_count) as account_count
    from (
        select
            {%- for column in key %}
                {%- if column in attributes %}
                    {{ comparable_attribute(column, 'replaced_subject_days') }} as {{ column }},
                {%- else %}
                    replaced_subject_days.{{ column }},
                {%- endif %}
            {%- endfor %}
            replaced_subject_days.biz_date,
            replaced_subject_days.balance_cny,
            replaced_subject_days.account_count
        from replaced_subject_days
        union all
        select * from restated_differences
        where {{ touched_subject_filter('subject_type', 'subject_id', 'caliber') }}
    ) as amounts
    group by {{ key | join(', ') }}, biz_date
    -- (account_count is stored to 6 decimals and the difference is exact: a subject-day whose last owner
    -- row went away is left with at most a rounding residue)
    having round(sum(account_count), 6) <> 0
),
{%- endif %}

day_owners as (
    -- each owner's allocation with the account's classification that day
    select
        owner_rows.biz_date,
        owner_rows.emp_id,
        owner_rows.owner_org_id,
        {%- for attribute in attributes %}
            {{ comparable_attribute(attribute, 'day_accounts') }} as {{ attribute }},
        {%- endfor %}
        owner_rows.alloc_balance_cny,
        owner_rows.share
    from owner_rows
    inner join day_accounts
        on
            owner_rows.biz_date = day_accounts.biz_date
            and owner_rows.acct_type = day_accounts.acct_type
            and owner_rows.acct_no = day_accounts.acct_no
            and owner_rows.sub_acct_no = day_accounts.sub_acct_no
    where owner_rows.share <> 0
),

subject_amounts as (
    -- assessment caliber: to the owner, and through him to his institution that day and up the tree
    {{ owner_subject_amounts('day_owners', attributes) }}
    union all
    -- accounting caliber: to the opening institution and up the tree (summed there first)
    select
        'ORG' as subject_type,
        ancestors.ancestor_org_id as subject_id,
        'ACCOUNTING' as caliber,
        {%- for attribute in attributes %}
            booked_sums.{{ attribute }},
        {%- endfor %}
        booked_sums.biz_date,
        sum(booked_sums.balance_cny) as balance_cny,
        sum(booked_sums.account_count) as account_count
    from (
        select
            day_accounts.org_id,
            {%- for attribute in attributes %}
                {{ comparable_attribute(attribute, 'day_accounts') }} as {{ attribute }},
            {%- endfor %}
            day_accounts.biz_date,
            sum(day_accounts.balance_cny) as balance_cny,
            count(*) filter (where day_accounts.is_present) as account_count
        from day_accounts
        group by {{ range(1, attributes | length + 3) | join(', ') }}
    ) as booked_sums
    inner join ancestors
        on
            booked_sums.org_id = ancestors.org_id
            and booked_sums.biz_date >= ancestors.valid_from
            and booked_sums.biz_date <= coalesce(ancestors.valid_to, 'infinity'::date)
    group by {{ range(1, attributes | length + 5) | join(', ') }}
),

day_amounts as (
    -- the rebuilt subject-days: every subject in the window, the touched ones before it
    select * from subject_amounts
    where {{ rebuilt_subject_days_filter('biz_date', 'subject_type', 'subject_id', 'caliber') }}
    {%- if by_difference %}
        union all
        select * from restated_subject_amounts
    {%- endif %}
),

carried_rows as (
    select
        previous_rows.subject_type,
        previous_rows.subject_id,
        previous_rows.caliber,
        {%- for attribute in attributes %}
            {{ comparable_attribute(attribute, 'previous_rows') }} as {{ attribute }},
        {%- endfor %}
        {%- for suffix in periods %}
            previous_rows.cum_balance_cny_{{ suffix }},
        {%- endfor %}
        previous_rows.biz_date
    from previous_rows
),

subject_keys as (
    select {{ key | join(', ') }} from day_amounts
    union
    select {{ key | join(', ') }} from carried_rows
),

calendar as (
    select calendar_dates.biz_date
    from rebuilt_days
    inner join calendar_dates
        on calendar_dates.biz_date between rebuilt_days.first_date and rebuilt_days.last_date
),

subject_days as (
    select
        {%- for column in key %}
            subject_keys.{{ column }},
        {%- endfor %}
        calendar.biz_date,
        false as is_carried_in
    from subject_keys
    cross join calendar
    where {{ rebuilt_subject_days_filter(
        'calendar.biz_date', 'subject_keys.subject_type', 'subject_keys.subject_id', 'subject_keys.caliber'
    ) }}
    union all
    select
        {%- for column in key %}
            carried_rows.{{ column }},
        {%- endfor %}
        carried_rows.biz_date,
        true as is_carried_in
    from carried_rows
),

daily_contributions as (
    select
        subject_days.*,
        coalesce(day_amounts.balance_cny, 0) as balance_cny,
        coalesce(day_amounts.account_count, 0) as account_count,
        {%- for suffix in periods %}
            case
                when subject_days.is_carried_in then carried_rows.cum_balance_cny_{{ suffix }}
                else coalesce(day_amounts.balance_cny, 0)
            end as added_{{ suffix }},
        {%- endfor %}
        subject_days.is_carried_in or day_amounts.biz_date is not null as has_amount
    from subject_days
    left join day_amounts
        on
            {%- for column in key %}
                subject_days.{{ column }} = day_amounts.{{ column }} and
            {%- endfor %}
            subject_days.biz_date = day_amounts.biz_date
    left join carried_rows
        on
            {%- for column in key %}
                subject_days.{{ column }} = carried_rows.{{ column }} and
            {%- endfor %}
            subject_days.is_carried_in
),

running_sums as (
    select
        *,
        {%- for suffix, period in periods.items() %}
            sum(added_{{ suffix }}) over by_subject_{{ suffix }} as cum_balance_cny_{{ suffix }},
        {%- endfor %}
        bool_or(has_amount) over by_subject_y as is_in_year
    from daily_contributions
    window
        {%- for suffix, period in periods.items() if suffix != 'y' %}
            by_subject_{{ suffix }} as (
                partition by {{ key | join(', ') }}, {{ period_start('biz_date', period) }}
                order by biz_date
            ),
        {%- endfor %}
        by_subject_y as (
            partition by {{ key | join(', ') }}, {{ period_start('biz_date', 'year') }}
            order by biz_date
        )
),

final as (
    select
        -- key
        biz_date::date as biz_date,
        subject_type::text as subject_type,
        subject_id::text as subject_id,
        caliber::text as caliber,
        acct_type::text as acct_type,
        nullif(product_line, '')::text as product_line,
        nullif(customer_segment, '')::text as customer_segment,
        nullif(deposit_class, '')::text as deposit_class,
        currency::text as currency,
        is_npl::boolean as is_npl,
        is_loan_customer::boolean as is_loan_customer,
        is_small_enterprise::boolean as is_small_enterprise,
        -- period figures (积数 and 日均)
        {%- for suffix, period in periods.items() %}
            cum_balance_cny_{{ suffix }}::numeric(26, 2) as cum_balance_cny_{{ suffix }},
            round(cum_balance_cny_{{ suffix }} / {{ days_elapsed('biz_date', period) }}, 6)::numeric(26, 6)
                as avg_balance_cny_{{ suffix }},
        {%- endfor %}
        -- the day
        balance_cny::numeric(22, 2) as balance_cny,
        account_count::numeric(20, 6) as account_count
    from running_sums
    where
        not is_carried_in
        and is_in_year
)

select * from final
