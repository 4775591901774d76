{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='biz_date',
        incremental_predicates=[window_filter('biz_date')],
        indexes=[{'columns': ['biz_date'], 'type': 'brin'}],
        post_hook=["analyze {{ this }}"],
    )
}}

{#- the card flags that become counts split by the owners' shares #}
{%- set counted_flags = [
    'is_issued_today', 'is_activated_today', 'is_cancelled_today', 'is_issued_m', 'is_issued_y',
    'is_activated_m', 'is_activated_y', 'is_effective_new_m', 'is_effective_new_y',
] %}

with

cards as (
    select * from {{ ref('fct_card_daily') }}
    where {{ window_filter('biz_date') }}
),

card_owners as (
    select * from {{ ref('fct_card_owner_daily') }}
    where {{ window_filter('biz_date') }}
),

final as (
    -- `share` is the ownership interface's column name, a keyword to sqlfluff (RF04 waived)
    select
        -- key
        cards.biz_date::date as biz_date,
        cards.card_no::text as card_no,
        card_owners.emp_id::text as emp_id,
        -- the owner
        card_owners.owner_org_id::text as owner_org_id,
        cards.org_id::text as card_org_id,
        -- the card's counts, split by the share (Σ over a card-day's owners = the card's 0 or 1)
        {%- for flag in counted_flags %}
            (case when cards.{{ flag }} then card_owners.share else 0 end)::numeric(16, 12)
                as {{ flag | replace('is_', '', 1) }}_count,
        {%- endfor %}
        card_owners.share::numeric(16, 12) as share  -- noqa: RF04
    from cards
    inner join card_owners
        on
            cards.biz_date = card_owners.biz_date
            and cards.card_no = card_owners.card_no
)

select * from final
