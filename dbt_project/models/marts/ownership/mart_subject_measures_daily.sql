{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        indexes=[
            {'columns': ['biz_date'], 'type': 'brin'},
            {'columns': ['subject_type', 'subject_id']},
        ],
        pre_hook=[
            "{{ assert_window_is_latest('biz_date', same_year_only=true) }}",
            "{{ keep_replaced_subject_days() }}",
            "{{ delete_rebuilt_subject_days() }}",
        ],
        post_hook=["analyze {{ this }}"],
    )
}}

-- depends_on: {{ ref('int_account_days_accumulated') }}
-- depends_on: {{ ref('int_customer_accounts') }}
{#- the balances outside the subject's territory: what is booked, when the subject's territory excludes where #}
{%- set booked_filters = {
    'out_of_territory_deposit_balance_cny': "acct_type = 'DEP'",
    'out_of_territory_loan_balance_cny': "acct_type = 'LOAN'",
} %}
{%- set balance_filters = {
    'card_deposit_balance_cny': "acct_type = 'DEP' and is_card_deposit",
    'pledged_deposit_balance_cny': "acct_type = 'DEP' and is_pledged_deposit",
    'mortgaged_deposit_balance_cny': "acct_type = 'DEP' and is_mortgaged_deposit",
    'key_customer_deposit_balance_cny': "acct_type = 'DEP' and is_key_customer",
    'key_customer_loan_balance_cny': "acct_type = 'LOAN' and is_key_customer",
    'no_credit_deposit_balance_cny_m': "acct_type = 'DEP' and is_no_credit_m",
    'no_credit_deposit_balance_cny_y': "acct_type = 'DEP' and is_no_credit_y",
    'out_of_territory_deposit_balance_cny': booked_filters['out_of_territory_deposit_balance_cny'] ~ ' and is_out_of_territory',
    'out_of_territory_loan_balance_cny': booked_filters['out_of_territory_loan_balance_cny'] ~ ' and is_out_of_territory',
    'referred_deposit_balance_cny': "acct_type = 'DEP' and is_referred",
    'referred_loan_balance_cny': "acct_type = 'LOAN' and is_referred",
} %}
{%- set balances = balance_filters.keys() | list %}
{%- set account_counts = {'deposit_account_count': "acct_type = 'DEP'", 'loan_account_count': "acct_type = 'LOAN'"} %}
{%- set held_counts = {
    'deposit_account_count': "is_open and acct_type = 'DEP'",
    'loan_account_count': "is_open and acct_type = 'LOAN'",
    'held_account_count': 'true',
} %}
{%- set counts = ['customer_count'] + (account_counts.keys() | list) + ['transaction_count', 'held_account_count'] %}
{%- set measures = balances + counts %}
{#- A restatement's touched subjects are rebuilt before the window by difference (rebuilt_by_difference):
    their stored row plus what the account-days the restatement changed change, after less before. The
    balances are sums; an account counts to a subject on a day or not, so its counts change by [after] -
    [before]; a customer changes a subject's count only when none of the customer's other open accounts
    counts to it that day (int_customer_accounts); transactions are the window's only. A rebuild from
    every account-day the touched subjects hold since the first restated day would cost what the restated
    span holds, not what changed. Only when every subject is rebuilt (a rerun, no window, a first build)
    are the owner rows and account-days of the rebuilt days read. #}
{#- what the measures ask of an account-day (account_facts), carried with each owner's part of it #}
{%- set fact_columns = [
    'acct_type', 'acct_no', 'sub_acct_no', 'org_id as booking_org_id', 'cust_id', 'is_open', 'is_card_deposit',
    'is_pledged_deposit', 'is_mortgaged_deposit', 'is_key_customer', 'is_referred', 'is_no_credit_m', 'is_no_credit_y',
] %}
{%- set by_difference = rebuilt_by_difference() %}
with

owner_rows as (
    -- the window's, and before it the touched subjects' owners' (by difference: the window's only); only
    -- the columns read: this is sorted or hashed whole to meet the account-days
    select
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no,
        emp_id,
        owner_org_id,
        alloc_balance_cny,
        share
    from {{ ref('fct_account_owner_daily') }}
    where {{ window_filter('biz_date') if by_difference else rebuilt_owner_rows_filter() }}
),

account_days as (
    {%- if by_difference %}
        select * from {{ ref('fct_account_daily') }}
        where {{ window_filter('biz_date') }}
    {%- else %}
        {{ rebuilt_account_days(ref('fct_account_daily'), 'owner_rows') }}
    {%- endif %}
),

classifications as (
    {%- if by_difference %}
        select * from {{ ref('fct_account_classifications_daily') }}
        where {{ window_filter('biz_date') }}
    {%- else %}
        {{ rebuilt_account_days(ref('fct_account_classifications_daily'), 'owner_rows') }}
    {%- endif %}
),

key_customers as (
    select * from {{ ref('dim_key_customers') }}
),

referrals as (
    select * from {{ ref('dim_referrals') }}
),

credit_months as (
    -- the months of the rebuilt days' years: "no credit business in the period" looks back to the year's start
    select * from {{ ref('fct_customer_credit_months') }}
    where month_start >= {{ period_start(first_rebuilt_day(), 'year') }}
),

credit_years as (
    -- each customer's first credit day in each of those years
    select
        cust_id,
        {{ period_start('month_start', 'year') }} as year_start,
        min(first_credit_date) as first_credit_date
    from credit_months
    group by cust_id, {{ period_start('month_start', 'year') }}
),

fee_rows as (
    -- transactions are the window's only: a restatement does not change them before it
    select * from {{ ref('fct_fee_allocations') }}
    where {{ window_filter('biz_date') if by_difference else rebuilt_owner_rows_filter() }}
),

settlement_rows as (
    select * from {{ ref('fct_intl_settlements') }}
    where {{ window_filter('biz_date') if by_difference else rebuilt_owner_rows_filter() }}
),

ancestors as (
    select * from {{ ref('bridge_institution_ancestor') }}
),

{%- if by_difference %}

restated_owner_rows as (
    -- the owner rows of the account-days a restatement changed before the window, before and after
    {{ restated_owner_rows() }}
),

changed_account_days as (
    select distinct
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no
    from restated_owner_rows
),

restated_account_days as (
    -- those account-days, through the key of the account-day history (PostgreSQL reaches the view
    -- fct_account_daily from a join only by reading every account-day of the restated span); their
    -- balance is not read (only the accounting caliber counts it, which owners do not change)
    select
        account_rows.biz_date,
        account_rows.acct_type,
        account_rows.acct_no,
        account_rows.sub_acct_no,
        account_rows.org_id,
        account_rows.cust_id,
        null::numeric as balance_cny,
        account_rows.is_present,
        account_rows.acct_status
    from (
        {{ changed_account_rows(ref('int_account_days_accumulated'), 'restated_owner_rows') }}
    ) as account_rows
),

restated_classifications as (
    {{ changed_account_rows(ref('fct_account_classifications_daily'), 'restated_owner_rows') }}
),
{%- endif %}

fact_days as (
    -- the account-days the measures are taken of: the rebuilt days' (by difference: the window's, and
    -- the account-days a restatement changed before it)
    select
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no,
        org_id,
        cust_id,
        balance_cny,
        is_present,
        acct_status,
        false as is_restated
    from account_days
    {%- if by_difference %}
        union all
        select
            *,
            true as is_restated
        from restated_account_days
    {%- endif %}
),

account_classes as (
    select
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no,
        bool_or(classification = 'CARD_DEPOSIT') as is_card_deposit,
        bool_or(classification = 'PLEDGED_DEPOSIT') as is_pledged_deposit,
        bool_or(classification = 'MORTGAGED_DEPOSIT') as is_mortgaged_deposit
    from (
        select
            biz_date,
            acct_type,
            acct_no,
            sub_acct_no,
            classification
        from classifications
        {%- if by_difference %}
            union all
            select
                biz_date,
                acct_type,
                acct_no,
                sub_acct_no,
                classification
            from restated_classifications
        {%- endif %}
    ) as all_classifications
    group by biz_date, acct_type, acct_no, sub_acct_no
),

account_facts as (
    -- each account-day with what the measures ask of it
    select
        fact_days.biz_date,
        fact_days.acct_type,
        fact_days.acct_no,
        fact_days.sub_acct_no,
        fact_days.org_id,
        fact_days.cust_id,
        fact_days.balance_cny,
        fact_days.is_restated,
        fact_days.is_present and coalesce(fact_days.acct_status, '') <> 'C' as is_open,
        coalesce(account_classes.is_card_deposit, false) as is_card_deposit,
        coalesce(account_classes.is_pledged_deposit, false) as is_pledged_deposit,
        coalesce(account_classes.is_mortgaged_deposit, false) as is_mortgaged_deposit,
        key_customers.cust_id is not null as is_key_customer,
        referrals.acct_no is not null as is_referred,
        -- no credit business from the period's start to the day: the customer's first credit day of the
        -- day's month (year) is missing or after the day (an equality join: one probe per account-day)
        coalesce(credit_months.first_credit_date > fact_days.biz_date, true) as is_no_credit_m,
        coalesce(credit_years.first_credit_date > fact_days.biz_date, true) as is_no_credit_y
    from fact_days
    left join account_classes
        on
            fact_days.biz_date = account_classes.biz_date
            and fact_days.acct_type = account_classes.acct_type
            and fact_days.acct_no = account_classes.acct_no
            and fact_days.sub_acct_no = account_classes.sub_acct_no
    left join key_customers
        on
            fact_days.cust_id = key_customers.cust_id
            and fact_days.biz_date >= key_customers.valid_from
            and fact_days.biz_date <= coalesce(key_customers.valid_to, 'infinity'::date)
    left join referrals
        on
            fact_days.acct_type = referrals.acct_type
            and fact_days.acct_no = referrals.acct_no
            and fact_days.sub_acct_no = referrals.sub_acct_no
            and fact_days.biz_date >= referrals.valid_from
            and fact_days.biz_date <= coalesce(referrals.valid_to, 'infinity'::date)
    left join credit_months
        on
            fact_days.cust_id = credit_months.cust_id
            and credit_months.month_start = {{ period_start('fact_days.biz_date', 'month') }}
    left join credit_years
        on
            fact_days.cust_id = credit_years.cust_id
            and credit_years.year_start = {{ period_start('fact_days.biz_date', 'year') }}
),

owned_facts as (
    -- each owner's part of the account-day (assessment caliber)
    select
        owner_rows.biz_date,
        owner_rows.emp_id,
        owner_rows.owner_org_id,
        owner_rows.alloc_balance_cny as amount_cny,
        {%- for column in fact_columns %}
            account_facts.{{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from owner_rows
    inner join account_facts
        on
            owner_rows.biz_date = account_facts.biz_date
            and owner_rows.acct_type = account_facts.acct_type
            and owner_rows.acct_no = account_facts.acct_no
            and owner_rows.sub_acct_no = account_facts.sub_acct_no
    where owner_rows.share <> 0
),

owner_balances as (
    -- the owners' balances summed per owner, his institution and the opening institution: the subjects'
    -- balances are rolled up from these few rows, not from every account-day fanned out to its subjects
    -- (an out-of-territory balance is whatever is booked there: the subject decides whether it is 辖外)
    select
        biz_date,
        emp_id,
        owner_org_id,
        booking_org_id,
        {%- for column, condition in balance_filters.items() %}
            sum(amount_cny) filter (
                where {{ booked_filters.get(column, condition) }}
            ) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from owned_facts
    group by biz_date, emp_id, owner_org_id, booking_org_id
),

booked_balances as (
    -- the accounting caliber's: the account-days' balances summed per opening institution (owners do not
    -- matter to it, so a restatement never changes it)
    select
        biz_date,
        null as emp_id,
        org_id as owner_org_id,
        org_id as booking_org_id,
        {%- for column, condition in balance_filters.items() %}
            sum(balance_cny) filter (
                where {{ booked_filters.get(column, condition) }}
            ) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from account_facts
    where not is_restated
    group by biz_date, org_id
),

subject_balances as (
    -- those sums once for each subject they count to: the owner, the owner's institution and those above
    -- it (assessment, owner_fact_subjects), the opening institution and those above it (accounting);
    -- outside the subject's territory (辖外) when booked at an institution outside it
    {{ owner_fact_subjects('owner_balances') }}
    union all
    select
        'ORG' as subject_type,
        ancestors.ancestor_org_id as subject_id,
        'ACCOUNTING' as caliber,
        booked_balances.*,
        false as is_out_of_territory
    from booked_balances
    inner join ancestors
        on
            booked_balances.owner_org_id = ancestors.org_id
            and booked_balances.biz_date >= ancestors.valid_from
            and booked_balances.biz_date <= coalesce(ancestors.valid_to, 'infinity'::date)
),

owned_accounts as (
    -- the accounts each owner holds a share of (books), open or not
    select distinct
        biz_date,
        emp_id,
        owner_org_id,
        acct_type,
        acct_no,
        sub_acct_no,
        is_open
    from owned_facts
),

owned_customers as (
    -- the customers of the open ones
    select distinct
        biz_date,
        emp_id,
        owner_org_id,
        cust_id
    from owned_facts
    where
        is_open
        and cust_id is not null
),

owner_org_accounts as (
    select distinct
        biz_date,
        owner_org_id as org_id,
        acct_type,
        acct_no,
        sub_acct_no,
        is_open
    from owned_accounts
),

owner_org_customers as (
    select distinct
        biz_date,
        owner_org_id as org_id,
        cust_id
    from owned_customers
),

booked_accounts as (
    select
        biz_date,
        org_id,
        acct_type,
        acct_no,
        sub_acct_no,
        is_open
    from account_facts
    where not is_restated
),

booked_customers as (
    select distinct
        biz_date,
        org_id,
        cust_id
    from account_facts
    where
        not is_restated
        and is_open
        and cust_id is not null
),

subject_counts as (
    -- counts: each open account and customer once per subject, whatever its share (shown, not paid), and
    -- the accounts the subject holds a share of (books), open or not: the subject-day exists while it
    -- holds one (or counts a transaction). An owner's: the rows of owned_accounts and owned_customers,
    -- already distinct per owner (an owner is at one institution a day: owner_org_id comes from the
    -- owner's version in force, and fct_account_owner_daily's key has no room for two); an
    -- institution's counted where they are and summed up the tree (count_in_subtrees)
    select
        biz_date,
        'EMP' as subject_type,
        emp_id as subject_id,
        'ASSESSMENT' as caliber,
        0 as customer_count,
        {%- for column, condition in held_counts.items() %}
            count(*) filter (where {{ condition }}) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from owned_accounts
    group by biz_date, emp_id
    union all
    select
        biz_date,
        'EMP' as subject_type,
        emp_id as subject_id,
        'ASSESSMENT' as caliber,
        count(*) as customer_count,
        {%- for column in held_counts %}
            0 as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from owned_customers
    group by biz_date, emp_id
    {%- for caliber, accounts, customers in [
        ('ASSESSMENT', 'owner_org_accounts', 'owner_org_customers'),
        ('ACCOUNTING', 'booked_accounts', 'booked_customers'),
    ] %}
        union all
        select
            biz_date,
            'ORG' as subject_type,
            org_id as subject_id,
            '{{ caliber }}' as caliber,
            0 as customer_count,
            {%- for column in held_counts %}
                {{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from (
            {{ count_in_subtrees(accounts, ['acct_type', 'acct_no', 'sub_acct_no', 'is_open'], held_counts) }}
        ) as {{ caliber | lower }}_account_counts
        union all
        select
            biz_date,
            'ORG' as subject_type,
            org_id as subject_id,
            '{{ caliber }}' as caliber,
            customer_count,
            {%- for column in held_counts %}
                0 as {{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from (
            {{ count_in_subtrees(customers, ['cust_id'], {'customer_count': 'true'}) }}
        ) as {{ caliber | lower }}_customer_counts
    {%- endfor %}
),

account_measures as (
    select
        biz_date,
        subject_type,
        subject_id,
        caliber,
        {%- for column in balances %}
            {%- if column in booked_filters %}
                sum({{ column }}) filter (where is_out_of_territory) as {{ column }},
            {%- else %}
                sum({{ column }}) as {{ column }},
            {%- endif %}
        {%- endfor %}
        {%- for column in counts %}
            0 as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from subject_balances
    group by biz_date, subject_type, subject_id, caliber
    union all
    select
        biz_date,
        subject_type,
        subject_id,
        caliber,
        {%- for column in balances %}
            null::numeric as {{ column }},
        {%- endfor %}
        customer_count,
        {%- for column in account_counts %}
            {{ column }},
        {%- endfor %}
        0 as transaction_count,
        held_account_count
    from subject_counts
),

{%- if by_difference %}

restated_owned_facts as (
    -- each owner row of a changed account-day, after (+) or before (-), with the account-day's facts
    -- (the same before and after: only its owners changed)
    select
        restated_owner_rows.biz_date,
        restated_owner_rows.emp_id,
        restated_owner_rows.owner_org_id,
        case when restated_owner_rows.side = 'AFTER' then 1 else -1 end
        * restated_owner_rows.alloc_balance_cny as amount_cny,
        {%- for column in fact_columns %}
            account_facts.{{ column }},
        {%- endfor %}
        restated_owner_rows.side
    from restated_owner_rows
    inner join account_facts
        on
            restated_owner_rows.biz_date = account_facts.biz_date
            and restated_owner_rows.acct_type = account_facts.acct_type
            and restated_owner_rows.acct_no = account_facts.acct_no
            and restated_owner_rows.sub_acct_no = account_facts.sub_acct_no
    where account_facts.is_restated
),

restated_subject_facts as (
    -- the same once for each subject it counts to
    {{ owner_fact_subjects('restated_owned_facts') }}
),

restated_holdings as (
    -- per changed account-day and touched subject: what its owner rows give the subject (after less
    -- before), and whether the subject holds the account after and before (only the touched subjects:
    -- an institution above every owner of an account-day is not changed by it)
    select
        biz_date,
        subject_type,
        subject_id,
        caliber,
        acct_type,
        acct_no,
        sub_acct_no,
        cust_id,
        is_open,
        {%- for column, condition in balance_filters.items() %}
            sum(amount_cny) filter (where {{ condition }}) as {{ column }},
        {%- endfor %}
        bool_or(side = 'AFTER') as is_held_after,
        bool_or(side = 'BEFORE') as is_held_before
    from restated_subject_facts
    where {{ touched_subject_filter('subject_type', 'subject_id', 'caliber') }}
    group by biz_date, subject_type, subject_id, caliber, acct_type, acct_no, sub_acct_no, cust_id, is_open
),

changed_customer_holdings as (
    -- per customer of a changed open account and touched subject: whether the subject holds one of the
    -- customer's changed accounts after, and before
    select
        biz_date,
        subject_type,
        subject_id,
        caliber,
        cust_id,
        bool_or(is_held_after) as is_held_after,
        bool_or(is_held_before) as is_held_before
    from restated_holdings
    where
        is_open
        and cust_id is not null
    group by biz_date, subject_type, subject_id, caliber, cust_id
),

customer_account_days as (
    -- the accounts those customers ever held (int_customer_accounts, by customer), on the day
    select distinct
        changed_customers.biz_date,
        customer_accounts.acct_type,
        customer_accounts.acct_no,
        customer_accounts.sub_acct_no
    from (
        select distinct
            changed_customer_holdings.biz_date,
            changed_customer_holdings.cust_id
        from changed_customer_holdings
        where changed_customer_holdings.is_held_after <> changed_customer_holdings.is_held_before
    ) as changed_customers
    inner join {{ ref('int_customer_accounts') }} as customer_accounts
        on changed_customers.cust_id = customer_accounts.cust_id
),

other_account_days as (
    -- their account-day through the key of the account-day history: open, and not itself changed that
    -- day (a hashed `not in`: the keys are never null); whose customer it is that day is checked where
    -- the holdings meet (customer_differences)
    select
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no,
        org_id,
        cust_id
    from {{ ref('int_account_days_accumulated') }}
    where
        biz_date >= {{ first_rebuilt_day() }}
        and biz_date < {{ window_start("'-infinity'::date") }}
        and (biz_date, acct_type, acct_no, sub_acct_no) in (
            select
                customer_account_days.biz_date,
                customer_account_days.acct_type,
                customer_account_days.acct_no,
                customer_account_days.sub_acct_no
            from customer_account_days
        )
        and (biz_date, acct_type, acct_no, sub_acct_no) not in (
            select
                changed_account_days.biz_date,
                changed_account_days.acct_type,
                changed_account_days.acct_no,
                changed_account_days.sub_acct_no
            from changed_account_days
        )
        and is_present
        and coalesce(acct_status, '') <> 'C'
),

other_owned_accounts as (
    -- their owners that day (unchanged by the restatement), through the owner fact's account index
    select
        other_owner_rows.biz_date,
        other_owner_rows.emp_id,
        other_owner_rows.owner_org_id,
        other_account_days.org_id as booking_org_id,
        other_account_days.cust_id
    from {{ ref('fct_account_owner_daily') }} as other_owner_rows
    inner join other_account_days
        on
            other_owner_rows.biz_date = other_account_days.biz_date
            and other_owner_rows.acct_type = other_account_days.acct_type
            and other_owner_rows.acct_no = other_account_days.acct_no
            and other_owner_rows.sub_acct_no = other_account_days.sub_acct_no
    where
        other_owner_rows.biz_date >= {{ first_rebuilt_day() }}
        and other_owner_rows.biz_date < {{ window_start("'-infinity'::date") }}
        and other_owner_rows.share <> 0
),

other_subject_facts as (
    -- the subjects they count to
    {{ owner_fact_subjects('other_owned_accounts') }}
),

customer_differences as (
    -- a customer counts to a subject while any of the customer's open accounts does: the subject gains
    -- (+1) or loses (-1) the customer with a changed account unless it holds another open account of the
    -- customer that day. One aggregation of the changed and the other holdings (set-based whatever the
    -- planner estimates, where an anti-join on five columns could become a nested loop)
    select
        biz_date,
        subject_type,
        subject_id,
        caliber,
        case when bool_or(is_held_after) then 1 else -1 end as customer_count
    from (
        select
            biz_date,
            subject_type,
            subject_id,
            caliber,
            cust_id,
            true as is_changed,
            is_held_after,
            false as is_held_by_other
        from changed_customer_holdings
        where is_held_after <> is_held_before
        union all
        select
            biz_date,
            subject_type,
            subject_id,
            caliber,
            cust_id,
            false as is_changed,
            false as is_held_after,
            true as is_held_by_other
        from other_subject_facts
    ) as holdings
    group by biz_date, subject_type, subject_id, caliber, cust_id
    having bool_or(is_changed) and not bool_or(is_held_by_other)
),

restated_differences as (
    -- what the changed account-days change of each touched subject's day
    select
        biz_date,
        subject_type,
        subject_id,
        caliber,
        {%- for column in balances %}
            coalesce(sum({{ column }}), 0) as {{ column }},
        {%- endfor %}
        0 as customer_count,
        {%- for column, condition in account_counts.items() %}
            coalesce(sum(is_held_after::integer - is_held_before::integer) filter (
                where is_open and {{ condition }}
            ), 0) as {{ column }},
        {%- endfor %}
        0 as transaction_count,
        sum(is_held_after::integer - is_held_before::integer) as held_account_count
    from restated_holdings
    group by biz_date, subject_type, subject_id, caliber
    union all
    select
        biz_date,
        subject_type,
        subject_id,
        caliber,
        {%- for column in balances %}
            0 as {{ column }},
        {%- endfor %}
        customer_count,
        {%- for column in account_counts %}
            0 as {{ column }},
        {%- endfor %}
        0 as transaction_count,
        0 as held_account_count
    from customer_differences
),

restated_measures as (
    -- the touched subjects' days before the window: as stored (keep_replaced_subject_days, run before
    -- they were deleted) plus the differences; a subject-day exists, as in a rebuild, while the subject
    -- holds an account or counts a transaction that day
    select
        biz_date,
        subject_type,
        subject_id,
        caliber,
        {%- for column in measures if column != 'held_account_count' %}
            sum({{ column }}) as {{ column }},
        {%- endfor %}
        sum(held_account_count) as held_account_count
    from (
        select
            biz_date,
            subject_type,
            subject_id,
            caliber,
            {%- for column in measures if column != 'held_account_count' %}
                {{ column }},
            {%- endfor %}
            held_account_count
        from "{{ this.identifier }}__replaced"
        union all
        select * from restated_differences
    ) as stored_and_changed
    group by biz_date, subject_type, subject_id, caliber
    having sum(held_account_count) > 0 or sum(transaction_count) > 0
),
{%- endif %}

transactions as (
    -- the day's fee and international-settlement transactions, to each owner with a share and the
    -- owner's institution (assessment), to the institution on the record (accounting)
    select
        biz_date,
        'FEE:' || txn_id as txn_key,
        emp_id,
        owner_org_id,
        org_id
    from fee_rows
    where share <> 0
    union all
    select
        biz_date,
        'INTL:' || txn_id as txn_key,
        emp_id,
        owner_org_id,
        org_id
    from settlement_rows
),

subject_transactions as (
    select
        transactions.biz_date,
        'EMP' as subject_type,
        transactions.emp_id as subject_id,
        'ASSESSMENT' as caliber,
        transactions.txn_key
    from transactions
    union all
    select
        transactions.biz_date,
        'ORG' as subject_type,
        ancestors.ancestor_org_id as subject_id,
        'ASSESSMENT' as caliber,
        transactions.txn_key
    from transactions
    inner join ancestors
        on
            transactions.owner_org_id = ancestors.org_id
            and transactions.biz_date >= ancestors.valid_from
            and transactions.biz_date <= coalesce(ancestors.valid_to, 'infinity'::date)
    union all
    select
        transactions.biz_date,
        'ORG' as subject_type,
        ancestors.ancestor_org_id as subject_id,
        'ACCOUNTING' as caliber,
        transactions.txn_key
    from transactions
    inner join ancestors
        on
            transactions.org_id = ancestors.org_id
            and transactions.biz_date >= ancestors.valid_from
            and transactions.biz_date <= coalesce(ancestors.valid_to, 'infinity'::date)
),

transaction_measures as (
    select
        biz_date,
        subject_type,
        subject_id,
        caliber,
        {%- for column in measures if column not in ['transaction_count', 'held_account_count'] %}
            0 as {{ column }},
        {%- endfor %}
        count(distinct txn_key) as transaction_count,
        0 as held_account_count
    from subject_transactions
    group by biz_date, subject_type, subject_id, caliber
),

all_measures as (
    -- the rebuilt subject-days: every subject in the window, the touched ones before it (by difference:
    -- restated_measures)
    select * from account_measures
    where {{ rebuilt_subject_days_filter('biz_date', 'subject_type', 'subject_id', 'caliber') }}
    union all
    select * from transaction_measures
    where {{ rebuilt_subject_days_filter('biz_date', 'subject_type', 'subject_id', 'caliber') }}
    {%- if by_difference %}
        union all
        select * from restated_measures
    {%- endif %}
),

final as (
    select
        -- key
        biz_date::date as biz_date,
        subject_type::text as subject_type,
        subject_id::text as subject_id,
        caliber::text as caliber,
        -- balances, CNY (the owner's allocated share; an institution's sum)
        {%- for column in balances %}
            coalesce(sum({{ column }}), 0)::numeric(24, 2) as {{ column }},
        {%- endfor %}
        -- counts (shown, not paid)
        {%- for column in counts if column != 'held_account_count' %}
            coalesce(sum({{ column }}), 0)::integer as {{ column }},
        {%- endfor %}
        coalesce(sum(held_account_count), 0)::integer as held_account_count
    from all_measures
    group by biz_date, subject_type, subject_id, caliber
)

select * from final
