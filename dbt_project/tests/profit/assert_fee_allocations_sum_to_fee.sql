-- Every fee is allocated whole: its owners' shares sum to 1 and their parts to the fee's CNY
-- amount, to the fen. Checks the window's dates; fails with each fee that breaks it.

with

allocations as (
    select * from {{ ref('fct_fee_allocations') }}
    where {{ window_filter('biz_date') }}
),

fees as (
    select
        biz_date,
        txn_id,
        max(amount_cny) as amount_cny,
        sum(alloc_amount_cny) as allocated_cny,
        sum(share) as total_share
    from allocations
    group by biz_date, txn_id
),

final as (
    select *
    from fees
    where allocated_cny is distinct from amount_cny or total_share <> 1
)

select * from final
