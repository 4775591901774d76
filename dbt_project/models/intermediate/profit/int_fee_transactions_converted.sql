{{ config(tags=['daily']) }}

with

fee_transactions as (
    select * from {{ ref('stg_core__fee_transactions') }}
    where {{ window_filter('biz_date') }}
),

currencies as (
    select * from {{ ref('stg_core__currencies') }}
    where {{ window_filter('biz_date') }}
),

final as (
    select
        fee_transactions.txn_id,
        fee_transactions.org_id,
        fee_transactions.cust_id,
        fee_transactions.acct_no,
        fee_transactions.sub_acct_no,
        fee_transactions.emp_id,
        fee_transactions.biz_line,
        fee_transactions.fee_code,
        fee_transactions.currency,
        fee_transactions.amount,
        currencies.cny_rate,
        {{ to_cny('fee_transactions.amount', 'currencies.cny_rate') }} as amount_cny,
        -- rules.md: fee codes LN* (income converted from loan interest) and AC* (acceptance) are
        -- not assessed as intermediate-business income
        case
            when fee_transactions.fee_code like 'LN%' then 'LN: income converted from loan interest'
            when fee_transactions.fee_code like 'AC%' then 'AC: acceptance fee'
        end as exclusion_reason,
        fee_transactions.txn_date,
        fee_transactions.biz_date
    from fee_transactions
    left join currencies
        on
            fee_transactions.currency = currencies.currency
            and fee_transactions.biz_date = currencies.biz_date
)

select * from final
