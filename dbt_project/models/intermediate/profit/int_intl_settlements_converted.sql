{{ config(tags=['daily']) }}

with

settlements as (
    select * from {{ ref('stg_core__intl_settlements') }}
    where {{ window_filter('biz_date') }}
),

currencies as (
    select * from {{ ref('stg_core__currencies') }}
    where {{ window_filter('biz_date') }}
),

final as (
    select
        settlements.txn_id,
        settlements.org_id,
        settlements.cust_id,
        settlements.emp_id,
        settlements.settle_type,
        settlements.currency,
        settlements.amount,
        currencies.cny_rate,
        {{ to_cny('settlements.amount', 'currencies.cny_rate') }} as amount_cny,
        settlements.txn_date,
        settlements.biz_date
    from settlements
    left join currencies
        on
            settlements.currency = currencies.currency
            and settlements.biz_date = currencies.biz_date
)

select * from final
