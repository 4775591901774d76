{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='biz_date',
        incremental_predicates=[window_filter('biz_date')],
        indexes=[
            {'columns': ['biz_date'], 'type': 'brin'},
            {'columns': ['acct_type', 'acct_no', 'sub_acct_no']},
        ],
        post_hook=["analyze {{ this }}"],
    )
}}

with

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

card_accounts as (
    -- accounts behind a debit card not cancelled that day (卡存: every sub-account of the card's account)
    select distinct
        biz_date,
        acct_no
    from cards
    where
        card_type = 'D'
        and card_status <> 'X'
        and acct_no is not null
),

mortgage_customers as (
    -- customers with a mortgage loan (loan_method M) with a balance that day
    select distinct
        biz_date,
        cust_id
    from loans
    where
        loan_method = 'M'
        and balance <> 0
),

classified_deposits as (
    select
        deposits.biz_date,
        deposits.acct_no,
        deposits.sub_acct_no,
        'CARD_DEPOSIT' as classification
    from deposits
    inner join card_accounts
        on
            deposits.biz_date = card_accounts.biz_date
            and deposits.acct_no = card_accounts.acct_no
    union all
    -- a pledged deposit (pledge_flag) is MORTGAGED_DEPOSIT when its customer has a mortgage loan that
    -- day (the deposit secures the mortgage), else PLEDGED_DEPOSIT
    select
        deposits.biz_date,
        deposits.acct_no,
        deposits.sub_acct_no,
        case when mortgage_customers.cust_id is null then 'PLEDGED_DEPOSIT' else 'MORTGAGED_DEPOSIT' end
            as classification
    from deposits
    left join mortgage_customers
        on
            deposits.biz_date = mortgage_customers.biz_date
            and deposits.cust_id = mortgage_customers.cust_id
    where deposits.is_pledged
),

final as (
    select
        -- key
        biz_date::date as biz_date,
        'DEP'::text as acct_type,
        acct_no::text as acct_no,
        sub_acct_no::text as sub_acct_no,
        classification::text as classification
    from classified_deposits
)

select * from final
