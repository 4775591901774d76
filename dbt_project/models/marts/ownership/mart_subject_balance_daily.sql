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
            "{{ keep_replaced_institution_days() }}",
            "{{ delete_rebuilt_subject_days() }}",
        ],
        post_hook=["analyze {{ this }}"],
    )
}}

{%- set periods = {'m': 'month', 'q': 'quarter', 'y': 'year'} %}
{%- set attributes = [
    'acct_type', 'product_line', 'customer_segment', 'deposit_class', 'currency', 'is_npl', 'is_loan_customer',
    'is_small_enterprise',
] %}
{%- set key = ['subject_type', 'subject_id', 'caliber'] + attributes %}
{#- a restatement's touched institutions before the window: their stored day amounts plus what the
    restated account-days changed (institutions_by_difference), not every account-day of their subtree;
    the touched employees and virtual managers are recomputed from their own owner rows #}
{%- set by_difference = is_incremental() and institutions_by_difference() %}
{%- set owners_restricted = execute and window_bound('min_date') is not none
    and owner_restatement()['subjects'] is not none %}
with

calendar_dates as (
    select * from {{ ref('dim_date') }}
),

owner_rows as (
    -- the window's, and before it the touched employees' and virtual managers'
    select * from {{ ref('fct_account_owner_daily') }}
    where {{ rebuilt_owner_rows_filter(org_column=none) }}
),

account_days as (
    {{ rebuilt_account_days(ref('fct_account_daily'), 'owner_rows') }}
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
    select * from {{ ref('fct_account_daily') }}
    where
        biz_date >= {{ first_rebuilt_day() }}
        and biz_date < {{ window_start("'-infinity'::date") }}
        and (biz_date, acct_type, acct_no, sub_acct_no) in (
            select
                restated_owner_rows.biz_date,
                restated_owner_rows.acct_type,
                restated_owner_rows.acct_no,
                restated_owner_rows.sub_acct_no
            from restated_owner_rows
        )
),

replaced_institution_days as (
    -- the touched institutions' rows before the window as this build found them
    -- (keep_replaced_institution_days, run before they were deleted)
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
    from {{ ref('fct_account_daily') }}
    where
        {{ rebuilt_days_filter('biz_date') }}
        and acct_type = 'LOAN'
        and balance <> 0
        and (
            biz_date >= {{ window_start("'-infinity'::date") }}
            or (biz_date, cust_id) in (
                select
                    account_days.biz_date,
                    account_days.cust_id
                from account_days
                {%- if by_difference %}
                    union all
                    select
                        restated_account_days.biz_date,
                        restated_account_days.cust_id
                    from restated_account_days
                {%- endif %}
            )
        )
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

restated_differences as (
    -- what the restatement changed of each touched institution's day amounts: the changed
    -- account-days' owner rows after, less before (assessment caliber, up the tree)
    select
        'ORG' as subject_type,
        ancestors.ancestor_org_id as subject_id,
        'ASSESSMENT' as caliber,
        {%- for attribute in attributes %}
            {%- if attribute == 'is_loan_customer' %}
                loan_customers.cust_id is not null as is_loan_customer,
            {%- else %}
                {{ comparable_attribute(attribute, 'restated_account_days') }} as {{ attribute }},
            {%- endif %}
        {%- endfor %}
        restated_owner_rows.biz_date,
        sum(
            case when restated_owner_rows.side = 'AFTER' then 1 else -1 end * restated_owner_rows.alloc_balance_cny
        ) as balance_cny,
        sum(case when restated_owner_rows.side = 'AFTER' then 1 else -1 end * restated_owner_rows.share)
            as account_count
    from restated_owner_rows
    inner join restated_account_days
        on
            restated_owner_rows.biz_date = restated_account_days.biz_date
            and restated_owner_rows.acct_type = restated_account_days.acct_type
            and restated_owner_rows.acct_no = restated_account_days.acct_no
            and restated_owner_rows.sub_acct_no = restated_account_days.sub_acct_no
    left join loan_customers
        on
            restated_account_days.biz_date = loan_customers.biz_date
            and restated_account_days.cust_id = loan_customers.cust_id
    inner join ancestors
        on
            restated_owner_rows.owner_org_id = ancestors.org_id
            and restated_owner_rows.biz_date >= ancestors.valid_from
            and restated_owner_rows.biz_date <= coalesce(ancestors.valid_to, 'infinity'::date)
    where {{ touched_subject_filter("'ORG'", 'ancestors.ancestor_org_id') }}
    group by {{ range(1, attributes | length + 5) | join(', ') }}
),

restated_institution_amounts as (
    -- the touched institutions' day amounts before the window: as stored, plus the differences; a
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
                    {{ comparable_attribute(column, 'replaced_institution_days') }} as {{ column }},
                {%- else %}
                    replaced_institution_days.{{ column }},
                {%- endif %}
            {%- endfor %}
            replaced_institution_days.biz_date,
            replaced_institution_days.balance_cny,
            replaced_institution_days.account_count
        from replaced_institution_days
        union all
        select * from restated_differences
    ) as amounts
    group by {{ key | join(', ') }}, biz_date
    having sum(account_count) <> 0
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
    select
        'EMP' as subject_type,
        day_owners.emp_id as subject_id,
        'ASSESSMENT' as caliber,
        {%- for attribute in attributes %}
            day_owners.{{ attribute }},
        {%- endfor %}
        day_owners.biz_date,
        sum(day_owners.alloc_balance_cny) as balance_cny,
        sum(day_owners.share) as account_count
    from day_owners
    group by {{ range(1, attributes | length + 5) | join(', ') }}
    union all
    select
        'ORG' as subject_type,
        ancestors.ancestor_org_id as subject_id,
        'ASSESSMENT' as caliber,
        {%- for attribute in attributes %}
            day_owners.{{ attribute }},
        {%- endfor %}
        day_owners.biz_date,
        sum(day_owners.alloc_balance_cny) as balance_cny,
        sum(day_owners.share) as account_count
    from day_owners
    inner join ancestors
        on
            day_owners.owner_org_id = ancestors.org_id
            and day_owners.biz_date >= ancestors.valid_from
            and day_owners.biz_date <= coalesce(ancestors.valid_to, 'infinity'::date)
    {%- if owners_restricted %}
        -- before the window only the touched owners' rows are read: their institutions come by difference
        where day_owners.biz_date >= {{ window_start("'-infinity'::date") }}
    {%- endif %}
    group by {{ range(1, attributes | length + 5) | join(', ') }}
    union all
    -- accounting caliber: to the opening institution and up the tree
    select
        'ORG' as subject_type,
        ancestors.ancestor_org_id as subject_id,
        'ACCOUNTING' as caliber,
        {%- for attribute in attributes %}
            {{ comparable_attribute(attribute, 'day_accounts') }} as {{ attribute }},
        {%- endfor %}
        day_accounts.biz_date,
        sum(day_accounts.balance_cny) as balance_cny,
        count(*) filter (where day_accounts.is_present) as account_count
    from day_accounts
    inner join ancestors
        on
            day_accounts.org_id = ancestors.org_id
            and day_accounts.biz_date >= ancestors.valid_from
            and day_accounts.biz_date <= coalesce(ancestors.valid_to, 'infinity'::date)
    group by {{ range(1, attributes | length + 5) | join(', ') }}
),

day_amounts as (
    -- the rebuilt subject-days: every subject in the window, the touched ones before it
    select * from subject_amounts
    where {{ rebuilt_subject_days_filter('biz_date', 'subject_type', 'subject_id', 'caliber') }}
    {%- if by_difference %}
        union all
        select * from restated_institution_amounts
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
