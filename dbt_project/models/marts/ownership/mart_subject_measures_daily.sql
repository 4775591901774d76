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
            "{{ delete_rebuilt_subject_days() }}",
        ],
        post_hook=["analyze {{ this }}"],
    )
}}

{%- set balances = [
    'card_deposit_balance_cny', 'pledged_deposit_balance_cny', 'mortgaged_deposit_balance_cny',
    'key_customer_deposit_balance_cny', 'key_customer_loan_balance_cny',
    'no_credit_deposit_balance_cny_m', 'no_credit_deposit_balance_cny_y',
    'out_of_territory_deposit_balance_cny', 'out_of_territory_loan_balance_cny',
    'referred_deposit_balance_cny', 'referred_loan_balance_cny',
] %}
{%- set counts = ['customer_count', 'deposit_account_count', 'loan_account_count', 'transaction_count'] %}
{%- set measures = balances + counts %}
with

owner_rows as (
    -- the window's, and before it the touched subjects' owners'
    select * from {{ ref('fct_account_owner_daily') }}
    where {{ rebuilt_owner_rows_filter() }}
),

account_days as (
    {{ rebuilt_account_days(ref('fct_account_daily'), 'owner_rows') }}
),

classifications as (
    {{ rebuilt_account_days(ref('fct_account_classifications_daily'), 'owner_rows') }}
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
    select * from {{ ref('fct_fee_allocations') }}
    where {{ rebuilt_owner_rows_filter() }}
),

settlement_rows as (
    select * from {{ ref('fct_intl_settlements') }}
    where {{ rebuilt_owner_rows_filter() }}
),

ancestors as (
    select * from {{ ref('bridge_institution_ancestor') }}
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
    from classifications
    group by biz_date, acct_type, acct_no, sub_acct_no
),

account_facts as (
    -- each account-day with what the measures ask of it
    select
        account_days.biz_date,
        account_days.acct_type,
        account_days.acct_no,
        account_days.sub_acct_no,
        account_days.org_id,
        account_days.cust_id,
        account_days.balance_cny,
        account_days.is_present and coalesce(account_days.acct_status, '') <> 'C' as is_open,
        coalesce(account_classes.is_card_deposit, false) as is_card_deposit,
        coalesce(account_classes.is_pledged_deposit, false) as is_pledged_deposit,
        coalesce(account_classes.is_mortgaged_deposit, false) as is_mortgaged_deposit,
        key_customers.cust_id is not null as is_key_customer,
        referrals.acct_no is not null as is_referred,
        -- no credit business from the period's start to the day: the customer's first credit day of the
        -- day's month (year) is missing or after the day (an equality join: one probe per account-day)
        coalesce(credit_months.first_credit_date > account_days.biz_date, true) as is_no_credit_m,
        coalesce(credit_years.first_credit_date > account_days.biz_date, true) as is_no_credit_y
    from account_days
    left join account_classes
        on
            account_days.biz_date = account_classes.biz_date
            and account_days.acct_type = account_classes.acct_type
            and account_days.acct_no = account_classes.acct_no
            and account_days.sub_acct_no = account_classes.sub_acct_no
    left join key_customers
        on
            account_days.cust_id = key_customers.cust_id
            and account_days.biz_date >= key_customers.valid_from
            and account_days.biz_date <= coalesce(key_customers.valid_to, 'infinity'::date)
    left join referrals
        on
            account_days.acct_type = referrals.acct_type
            and account_days.acct_no = referrals.acct_no
            and account_days.sub_acct_no = referrals.sub_acct_no
            and account_days.biz_date >= referrals.valid_from
            and account_days.biz_date <= coalesce(referrals.valid_to, 'infinity'::date)
    left join credit_months
        on
            account_days.cust_id = credit_months.cust_id
            and credit_months.month_start = {{ period_start('account_days.biz_date', 'month') }}
    left join credit_years
        on
            account_days.cust_id = credit_years.cust_id
            and credit_years.year_start = {{ period_start('account_days.biz_date', 'year') }}
),

owned_facts as (
    -- each owner's part of the account-day (assessment caliber)
    select
        owner_rows.biz_date,
        owner_rows.emp_id,
        owner_rows.owner_org_id,
        owner_rows.alloc_balance_cny as amount_cny,
        account_facts.acct_type,
        account_facts.acct_no,
        account_facts.sub_acct_no,
        account_facts.org_id as booking_org_id,
        account_facts.cust_id,
        account_facts.is_open,
        account_facts.is_card_deposit,
        account_facts.is_pledged_deposit,
        account_facts.is_mortgaged_deposit,
        account_facts.is_key_customer,
        account_facts.is_referred,
        account_facts.is_no_credit_m,
        account_facts.is_no_credit_y
    from owner_rows
    inner join account_facts
        on
            owner_rows.biz_date = account_facts.biz_date
            and owner_rows.acct_type = account_facts.acct_type
            and owner_rows.acct_no = account_facts.acct_no
            and owner_rows.sub_acct_no = account_facts.sub_acct_no
    where owner_rows.share <> 0
),

subject_facts as (
    -- the same account-day once for each subject it counts to: the owner, the owner's institution and
    -- those above it (assessment), the opening institution and those above it (accounting); outside the
    -- subject's territory (辖外) when booked at an institution outside it (for a manager: neither his
    -- institution nor one above it)
    select
        'EMP' as subject_type,
        owned_facts.emp_id as subject_id,
        'ASSESSMENT' as caliber,
        owned_facts.*,
        not exists (
            select 1
            from ancestors as own_line
            where
                own_line.org_id = owned_facts.owner_org_id
                and own_line.ancestor_org_id = owned_facts.booking_org_id
                and owned_facts.biz_date >= own_line.valid_from
                and owned_facts.biz_date <= coalesce(own_line.valid_to, 'infinity'::date)
        ) as is_out_of_territory
    from owned_facts
    union all
    select
        'ORG' as subject_type,
        ancestors.ancestor_org_id as subject_id,
        'ASSESSMENT' as caliber,
        owned_facts.*,
        not exists (
            select 1
            from ancestors as booking_line
            where
                booking_line.org_id = owned_facts.booking_org_id
                and booking_line.ancestor_org_id = ancestors.ancestor_org_id
                and owned_facts.biz_date >= booking_line.valid_from
                and owned_facts.biz_date <= coalesce(booking_line.valid_to, 'infinity'::date)
        ) as is_out_of_territory
    from owned_facts
    inner join ancestors
        on
            owned_facts.owner_org_id = ancestors.org_id
            and owned_facts.biz_date >= ancestors.valid_from
            and owned_facts.biz_date <= coalesce(ancestors.valid_to, 'infinity'::date)
    union all
    select
        'ORG' as subject_type,
        ancestors.ancestor_org_id as subject_id,
        'ACCOUNTING' as caliber,
        account_facts.biz_date,
        null as emp_id,
        account_facts.org_id as owner_org_id,
        account_facts.balance_cny as amount_cny,
        account_facts.acct_type,
        account_facts.acct_no,
        account_facts.sub_acct_no,
        account_facts.org_id as booking_org_id,
        account_facts.cust_id,
        account_facts.is_open,
        account_facts.is_card_deposit,
        account_facts.is_pledged_deposit,
        account_facts.is_mortgaged_deposit,
        account_facts.is_key_customer,
        account_facts.is_referred,
        account_facts.is_no_credit_m,
        account_facts.is_no_credit_y,
        false as is_out_of_territory
    from account_facts
    inner join ancestors
        on
            account_facts.org_id = ancestors.org_id
            and account_facts.biz_date >= ancestors.valid_from
            and account_facts.biz_date <= coalesce(ancestors.valid_to, 'infinity'::date)
),

account_measures as (
    select
        biz_date,
        subject_type,
        subject_id,
        caliber,
        sum(amount_cny) filter (where acct_type = 'DEP' and is_card_deposit) as card_deposit_balance_cny,
        sum(amount_cny) filter (where acct_type = 'DEP' and is_pledged_deposit) as pledged_deposit_balance_cny,
        sum(amount_cny) filter (where acct_type = 'DEP' and is_mortgaged_deposit) as mortgaged_deposit_balance_cny,
        sum(amount_cny) filter (where acct_type = 'DEP' and is_key_customer) as key_customer_deposit_balance_cny,
        sum(amount_cny) filter (where acct_type = 'LOAN' and is_key_customer) as key_customer_loan_balance_cny,
        sum(amount_cny) filter (where acct_type = 'DEP' and is_no_credit_m) as no_credit_deposit_balance_cny_m,
        sum(amount_cny) filter (where acct_type = 'DEP' and is_no_credit_y) as no_credit_deposit_balance_cny_y,
        sum(amount_cny) filter (
            where acct_type = 'DEP' and is_out_of_territory
        ) as out_of_territory_deposit_balance_cny,
        sum(amount_cny) filter (where acct_type = 'LOAN' and is_out_of_territory) as out_of_territory_loan_balance_cny,
        sum(amount_cny) filter (where acct_type = 'DEP' and is_referred) as referred_deposit_balance_cny,
        sum(amount_cny) filter (where acct_type = 'LOAN' and is_referred) as referred_loan_balance_cny,
        -- counts: each open account and customer once per subject, whatever its share (shown, not paid)
        count(distinct cust_id) filter (where is_open) as customer_count,
        count(distinct acct_no || '|' || sub_acct_no) filter (
            where is_open and acct_type = 'DEP'
        ) as deposit_account_count,
        count(distinct acct_no || '|' || sub_acct_no) filter (
            where is_open and acct_type = 'LOAN'
        ) as loan_account_count,
        0 as transaction_count
    from subject_facts
    group by biz_date, subject_type, subject_id, caliber
),

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
        {%- for column in measures if column != 'transaction_count' %}
            0 as {{ column }},
        {%- endfor %}
        count(distinct txn_key) as transaction_count
    from subject_transactions
    group by biz_date, subject_type, subject_id, caliber
),

all_measures as (
    -- the rebuilt subject-days: every subject in the window, the touched ones before it
    select * from account_measures
    where {{ rebuilt_subject_days_filter('biz_date', 'subject_type', 'subject_id', 'caliber') }}
    union all
    select * from transaction_measures
    where {{ rebuilt_subject_days_filter('biz_date', 'subject_type', 'subject_id', 'caliber') }}
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
        {%- for column in counts if column != 'transaction_count' %}
            coalesce(sum({{ column }}), 0)::integer as {{ column }},
        {%- endfor %}
        coalesce(sum(transaction_count), 0)::integer as transaction_count
    from all_measures
    group by biz_date, subject_type, subject_id, caliber
)

select * from final
