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

with

cards as (
    select * from {{ ref('stg_core__cards') }}
    where {{ window_filter('biz_date') }}
),

final as (
    select
        -- key
        biz_date::date as biz_date,
        card_no::text as card_no,
        -- the card as recorded that day
        org_id::text as org_id,
        cust_id::text as cust_id,
        acct_no::text as acct_no,
        emp_id::text as emp_id,
        card_type::text as card_type,
        card_status::text as card_status,
        issue_date::date as issue_date,
        activate_date::date as activate_date,
        cancel_date::date as cancel_date,
        -- the day's events
        coalesce(issue_date = biz_date, false)::boolean as is_issued_today,
        coalesce(activate_date = biz_date, false)::boolean as is_activated_today,
        coalesce(cancel_date = biz_date, false)::boolean as is_cancelled_today,
        -- period flags (each sums over cards to a count): issued / activated within the period so
        -- far, and the effective new card (有效新增卡): issued within the period and active (N) on D
        coalesce(issue_date >= {{ period_start('biz_date', 'month') }}, false)::boolean as is_issued_m,
        coalesce(issue_date >= {{ period_start('biz_date', 'year') }}, false)::boolean as is_issued_y,
        coalesce(activate_date >= {{ period_start('biz_date', 'month') }}, false)::boolean as is_activated_m,
        coalesce(activate_date >= {{ period_start('biz_date', 'year') }}, false)::boolean as is_activated_y,
        coalesce(card_status = 'N' and issue_date >= {{ period_start('biz_date', 'month') }}, false)::boolean
            as is_effective_new_m,
        coalesce(card_status = 'N' and issue_date >= {{ period_start('biz_date', 'year') }}, false)::boolean
            as is_effective_new_y
    from cards
)

select * from final
