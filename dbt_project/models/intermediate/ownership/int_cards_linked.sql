{{ config(tags=['daily']) }}

with

cards as (
    select * from {{ ref('stg_core__cards') }}
    where {{ window_filter('biz_date') }}
),

deposit_accounts as (
    select * from {{ ref('stg_core__deposit_accounts') }}
    where {{ window_filter('biz_date') }}
),

linked_sub_accounts as (
    -- a card is linked to an account number; its owners are those of the account's first
    -- sub-account (the settlement sub-account) that day
    select
        biz_date,
        acct_no,
        min(sub_acct_no) as sub_acct_no
    from deposit_accounts
    group by biz_date, acct_no
),

final as (
    select
        cards.biz_date,
        cards.card_no,
        cards.org_id as card_org_id,
        cards.emp_id,
        cards.acct_no,
        linked_sub_accounts.sub_acct_no as linked_sub_acct_no
    from cards
    left join linked_sub_accounts
        on
            cards.acct_no = linked_sub_accounts.acct_no
            and cards.biz_date = linked_sub_accounts.biz_date
)

select * from final
