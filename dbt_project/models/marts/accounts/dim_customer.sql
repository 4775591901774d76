{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='cust_id',
    )
}}

with

customer_snapshots as (
    select * from {{ ref('stg_core__customers') }}
    where {{ window_filter('biz_date') }}
),

{{ latest_states(
    snapshots='customer_snapshots',
    key_columns=['cust_id'],
    attribute_columns=[
        'open_org_id', 'cust_name', 'cust_type', 'customer_segment', 'industry_code', 'is_small_enterprise',
    ],
) }},

final as (
    select
        cust_id::text as cust_id,
        open_org_id::text as open_org_id,
        cust_name::text as cust_name,
        cust_type::text as cust_type,
        customer_segment::text as customer_segment,
        industry_code::text as industry_code,
        is_small_enterprise::boolean as is_small_enterprise,
        first_seen_date::date as first_seen_date,
        last_seen_date::date as last_seen_date
    from latest_states
)

select * from final
