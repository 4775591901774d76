-- rules.md: every card of the window's days is owned, its shares summing to exactly 1.
with

cards as (
    select * from {{ ref('int_cards_linked') }}
),

card_owners as (
    select * from {{ ref('fct_card_owner_daily') }}
    where {{ window_filter('biz_date') }}
),

totals as (
    select
        biz_date,
        card_no,
        sum(share) as total_share
    from card_owners
    group by biz_date, card_no
),

failures as (
    select
        cards.biz_date,
        cards.card_no,
        totals.total_share
    from cards
    left join totals
        on
            cards.biz_date = totals.biz_date
            and cards.card_no = totals.card_no
    where totals.total_share is distinct from 1
)

select * from failures
