{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        tags=['daily'],
        indexes=[{'columns': ['biz_date'], 'type': 'brin'}],
        pre_hook=[
            "{{ delete_data_exceptions(ref('int_ownership_restatements')) }}",
        ],
    )
}}

{#- The severity policy's warnings (expectations/RULES.md, class "descriptive reference"): every row
    of a descriptive feed that names something not on that day's books, with what the warehouse did
    with it, and the ownership rule's own exceptions (rpt_ownership_exceptions). One row per business
    date, feed row and rule. -#}

with

relations as (
    select * from {{ ref('stg_core__ownership_relations') }}
    where {{ window_filter('biz_date') }}
),

ftp_prices as (
    select * from {{ ref('stg_core__ftp_prices') }}
    where {{ window_filter('biz_date') }}
),

deposits as (
    select * from {{ ref('stg_core__deposit_accounts') }}
    where {{ window_filter('biz_date') }}
),

loans as (
    select * from {{ ref('stg_core__loan_accounts') }}
    where {{ window_filter('biz_date') }}
),

cards as (
    select * from {{ ref('stg_core__cards') }}
    where {{ window_filter('biz_date') }}
),

employees as (
    select * from {{ ref('stg_core__employees') }}
    where {{ window_filter('biz_date') }}
),

customers as (
    select * from {{ ref('stg_core__customers') }}
    where {{ window_filter('biz_date') }}
),

fee_allocations as (
    select * from {{ ref('fct_fee_allocations') }}
    where {{ window_filter('biz_date') }}
),

settlements as (
    select * from {{ ref('fct_intl_settlements') }}
    where {{ window_filter('biz_date') }}
),

accounts as (
    select * from {{ ref('dim_account') }}
),

ownership_exceptions as (
    select * from {{ ref('rpt_ownership_exceptions') }}
    where {{ restated_days_filter('biz_date') }}
),

ledger_days as (
    -- the accounts on the ledger each day (DEP and LOAN snapshots)
    select
        biz_date,
        'DEP' as acct_type,
        acct_no,
        sub_acct_no,
        cust_id,
        mgr_emp_id
    from deposits
    union all
    select
        biz_date,
        'LOAN' as acct_type,
        acct_no,
        sub_acct_no,
        cust_id,
        mgr_emp_id
    from loans
),

ledger_reference_exceptions as (
    -- the ledger's descriptive references: its marketer (rules.md, Ownership 3) and its customer
    select
        ledger_days.biz_date,
        ledger_days.acct_type as feed,
        'mgr_emp_id_in_emp' as rule_name,
        concat_ws('|', ledger_days.acct_type, ledger_days.acct_no, ledger_days.sub_acct_no) as record_key,
        'mgr_emp_id=' || ledger_days.mgr_emp_id as record,
        'marketer ignored on ' || ledger_days.biz_date::text || ': employee ' || ledger_days.mgr_emp_id
        || ' not in EMP; the account''s owners are decided by the next rule' as action_taken
    from ledger_days
    left join employees
        on
            ledger_days.biz_date = employees.biz_date
            and ledger_days.mgr_emp_id = employees.emp_id
    where
        ledger_days.mgr_emp_id is not null
        and employees.emp_id is null
    union all
    select
        ledger_days.biz_date,
        ledger_days.acct_type as feed,
        'cust_id_in_cust' as rule_name,
        concat_ws('|', ledger_days.acct_type, ledger_days.acct_no, ledger_days.sub_acct_no) as record_key,
        'cust_id=' || ledger_days.cust_id as record,
        'balance counted on ' || ledger_days.biz_date::text || ': customer ' || ledger_days.cust_id
        || ' not in CUST (no customer attributes that day; segment from the subject)' as action_taken
    from ledger_days
    left join customers
        on
            ledger_days.biz_date = customers.biz_date
            and ledger_days.cust_id = customers.cust_id
    where
        ledger_days.cust_id is not null
        and customers.cust_id is null
),

priced_or_related_rows as (
    -- REL (accounts) and FTP rows of the day: both name an account of the ledger
    select
        biz_date,
        'REL' as feed,
        'relation' as row_kind,
        acct_type,
        acct_no,
        sub_acct_no,
        concat_ws(
            '|', acct_type, acct_no, coalesce(sub_acct_no, ''), emp_id, share_pct::text,
            to_char(start_date, 'YYYYMMDD'), coalesce(to_char(end_date, 'YYYYMMDD'), '')
        ) as record
    from relations
    where acct_type in ('DEP', 'LOAN')
    union all
    select
        biz_date,
        'FTP' as feed,
        'price' as row_kind,
        acct_type,
        acct_no,
        coalesce(sub_acct_no, '') as sub_acct_no,
        concat_ws(
            '|', acct_type, acct_no, coalesce(sub_acct_no, ''), ftp_rate::text, to_char(effective_date, 'YYYYMMDD')
        ) as record
    from ftp_prices
    where {{ window_filter('biz_date') }}
),

unmatched_rows as (
    -- the REL and FTP rows naming an account not in that day's snapshot (a price given without a
    -- sub-account names every sub-account of the account: it matches any of them)
    select priced_or_related_rows.*
    from priced_or_related_rows
    where not exists (
        select 1 from ledger_days
        where
            ledger_days.biz_date = priced_or_related_rows.biz_date
            and ledger_days.acct_type = priced_or_related_rows.acct_type
            and ledger_days.acct_no = priced_or_related_rows.acct_no
            and priced_or_related_rows.sub_acct_no in (ledger_days.sub_acct_no, '')
    )
),

unmatched_accounts as (
    select distinct
        acct_type,
        acct_no
    from unmatched_rows
),

named_accounts as (
    -- the sub-accounts of the accounts the unmatched rows name (on most days there are none)
    select accounts.*
    from accounts
    inner join unmatched_accounts
        on
            accounts.acct_type = unmatched_accounts.acct_type
            and accounts.acct_no = unmatched_accounts.acct_no
),

account_lives as (
    -- when each of those accounts was on the ledger: per sub-account, and per account for a price
    -- given without a sub-account (it applies to every sub-account)
    select
        acct_type,
        acct_no,
        sub_acct_no,
        first_seen_date,
        last_seen_date,
        close_date
    from named_accounts
    union all
    select
        acct_type,
        acct_no,
        '' as sub_acct_no,
        min(first_seen_date) as first_seen_date,
        max(last_seen_date) as last_seen_date,
        max(close_date) as close_date
    from named_accounts
    group by acct_type, acct_no
),

rows_without_account as (
    -- a relation or price for an account not in the day's snapshot: nothing to apply it to that day
    select
        unmatched_rows.biz_date,
        unmatched_rows.feed,
        lower(unmatched_rows.acct_type) || '_account_exists' as rule_name,
        concat_ws(
            '|',
            unmatched_rows.acct_type,
            unmatched_rows.acct_no,
            unmatched_rows.sub_acct_no
        ) as record_key,
        unmatched_rows.record,
        unmatched_rows.row_kind || ' ignored on ' || unmatched_rows.biz_date::text || ': '
        || {{ account_absence_reason('account_lives', 'unmatched_rows.biz_date') }} as action_taken
    from unmatched_rows
    left join account_lives
        on
            unmatched_rows.acct_type = account_lives.acct_type
            and unmatched_rows.acct_no = account_lives.acct_no
            and unmatched_rows.sub_acct_no = account_lives.sub_acct_no
),

card_relations_without_card as (
    select
        relations.biz_date,
        'REL' as feed,
        'card_exists' as rule_name,
        concat_ws('|', relations.acct_type, relations.acct_no, relations.emp_id) as record_key,
        concat_ws(
            '|', relations.acct_type, relations.acct_no, '', relations.emp_id, relations.share_pct::text,
            to_char(relations.start_date, 'YYYYMMDD'), coalesce(to_char(relations.end_date, 'YYYYMMDD'), '')
        ) as record,
        'relation ignored on ' || relations.biz_date::text
        || ': card not in that day''s CARD snapshot' as action_taken
    from relations
    left join cards
        on
            relations.biz_date = cards.biz_date
            and relations.acct_no = cards.card_no
    where
        relations.acct_type = 'CARD'
        and cards.card_no is null
),

fee_routes as (
    -- each fee's routing and owners (fct_fee_allocations) and whether its employee was known
    select
        biz_date,
        txn_id,
        acct_no,
        recorded_emp_id,
        routing,
        recorded_emp_id is not null and routing <> 'EMP' as is_unknown_employee,
        string_agg(emp_id, ', ' order by emp_id) as owners,
        max(amount_cny) as amount_cny
    from fee_allocations
    group by biz_date, txn_id, acct_no, recorded_emp_id, routing
),

fee_account_days as (
    select distinct
        biz_date,
        acct_no
    from ledger_days
),

accounts_by_number as (
    -- a fee names an account number (the sub-account is optional): its life across sub-accounts
    select
        acct_no,
        min(first_seen_date) as first_seen_date,
        max(last_seen_date) as last_seen_date,
        max(close_date) as close_date
    from accounts
    group by acct_no
),

fee_exceptions as (
    -- a fee naming an employee not known that day, or an account not on the ledger that day: it is
    -- counted by the next rule (rules.md, Fees)
    select
        fee_routes.biz_date,
        'FEE' as feed,
        case when fee_routes.is_unknown_employee then 'emp_id_in_emp' else 'acct_no_in_dep_or_loan' end as rule_name,
        fee_routes.txn_id as record_key,
        concat_ws(
            '|', fee_routes.txn_id, coalesce(fee_routes.acct_no, ''), coalesce(fee_routes.recorded_emp_id, ''),
            fee_routes.amount_cny::text || ' CNY'
        ) as record,
        'fee counted to ' || fee_routes.owners
        || case fee_routes.routing
            when 'EMP' then ' (its employee)'
            when 'ACCOUNT_OWNERS' then ' (its account''s owners)'
            else ' (the virtual manager of its institution)'
        end
        || ' on ' || fee_routes.biz_date::text || ': '
        || case
            when fee_routes.is_unknown_employee then 'employee ' || fee_routes.recorded_emp_id || ' not on the books'
            else {{ account_absence_reason('accounts_by_number', 'fee_routes.biz_date') }}
        end as action_taken
    from fee_routes
    left join fee_account_days
        on
            fee_routes.biz_date = fee_account_days.biz_date
            and fee_routes.acct_no = fee_account_days.acct_no
    left join accounts_by_number
        on fee_routes.acct_no = accounts_by_number.acct_no
    where
        fee_routes.is_unknown_employee
        or (fee_routes.acct_no is not null and fee_account_days.acct_no is null)
),

settlement_exceptions as (
    select
        biz_date,
        'INTL' as feed,
        'emp_id_in_emp' as rule_name,
        txn_id as record_key,
        concat_ws('|', txn_id, recorded_emp_id, amount_cny::text || ' CNY') as record,
        'settlement counted to ' || emp_id || ' (the virtual manager of its institution) on ' || biz_date::text
        || ': employee ' || recorded_emp_id || ' not on the books' as action_taken
    from settlements
    where
        routing = 'VIRTUAL'
        and recorded_emp_id is not null
),

ownership_rule_exceptions as (
    -- rules.md, Ownership: a REL set over 100 % falls through; an owner not on the books is replaced
    select
        biz_date,
        case when detail like '%(REL)%' or exception_type = 'REL_OVER_100' then 'REL' else 'CONTROL' end as feed,
        lower(exception_type) as rule_name,
        concat_ws('|', acct_type, acct_no, sub_acct_no) as record_key,
        detail as record,
        case exception_type
            when 'REL_OVER_100'
                then
                    'relation set ignored on ' || biz_date::text || ' (shares sum to '
                    || total_share_pct::numeric(8, 2)::text || ' %): the account goes to the next rule'
            else detail || ' on ' || biz_date::text || ': owner not on the books that day'
        end as action_taken
    from ownership_exceptions
),

exceptions as (
    select
        *,
        'FEED_REFERENCE' as found_by
    from rows_without_account
    union all
    select
        *,
        'FEED_REFERENCE' as found_by
    from card_relations_without_card
    union all
    select
        *,
        'FEED_REFERENCE' as found_by
    from fee_exceptions
    union all
    select
        *,
        'FEED_REFERENCE' as found_by
    from settlement_exceptions
    union all
    select
        *,
        'FEED_REFERENCE' as found_by
    from ledger_reference_exceptions
    union all
    select
        *,
        'OWNERSHIP_RULE' as found_by
    from ownership_rule_exceptions
),

final as (
    select
        -- key
        biz_date::date as biz_date,
        feed::text as feed,
        rule_name::text as rule_name,
        record_key::text as record_key,
        -- what was found and what the warehouse did
        'warning'::text as severity,
        record::text as record,
        action_taken::text as action_taken,
        found_by::text as found_by
    from exceptions
)

select * from final
