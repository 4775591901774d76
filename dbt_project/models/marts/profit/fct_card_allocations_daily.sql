{#- A view (it was a table adding ~70 MB a business date at a million accounts): the counts are kept on
    the owner rows of fct_card_owner_daily, so this is a projection of that table and a date filter on
    it reaches that table's biz_date BRIN index -#}
{{ config(materialized='view') }}

with

card_owners as (
    select * from {{ ref('fct_card_owner_daily') }}
),

final as (
    -- `share` is the ownership interface's column name, a keyword to sqlfluff (RF04 waived)
    select
        -- key
        biz_date,
        card_no,
        emp_id,
        -- the owner
        owner_org_id,
        card_org_id,
        share,  -- noqa: RF04
        -- the card's counts, split by the share (Σ over a card-day's owners = the card's 0 or 1)
        issued_today_count,
        activated_today_count,
        cancelled_today_count,
        issued_m_count,
        issued_y_count,
        activated_m_count,
        activated_y_count,
        effective_new_m_count,
        effective_new_y_count
    from card_owners
)

select * from final
