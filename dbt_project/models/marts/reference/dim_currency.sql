{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='currency',
        tags=['daily'],
    )
}}

with

currency_snapshots as (
    select * from {{ ref('stg_core__currencies') }}
    where {{ window_filter('biz_date') }}
),

currency_rates as (
    select
        currency,
        currency_name,
        cny_rate as latest_cny_rate,
        dep_day_basis,
        loan_day_basis,
        biz_date
    from currency_snapshots
),

{{ latest_states(
    snapshots='currency_rates',
    key_columns=['currency'],
    attribute_columns=['currency_name', 'latest_cny_rate', 'dep_day_basis', 'loan_day_basis'],
) }},

final as (
    select
        currency::text as currency,
        currency_name::text as currency_name,
        latest_cny_rate::numeric(14, 6) as latest_cny_rate,
        dep_day_basis::integer as dep_day_basis,
        loan_day_basis::integer as loan_day_basis,
        first_seen_date::date as first_seen_date,
        last_seen_date::date as last_seen_date
    from latest_states
)

select * from final
