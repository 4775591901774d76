{{ config(materialized='view') }}

{%- set sides = {'DEP': 'deposit', 'LOAN': 'loan'} %}
with

customer_days as (
    select * from {{ ref('fct_customer_daily') }}
),

customer_sides as (
    -- one row per customer and side (deposits, loans) the customer has or had this year
    {%- for acct_type, side in sides.items() %}
        select
            biz_date,
            '{{ acct_type }}' as acct_type,
            cust_id,
            cust_name,
            customer_segment,
            open_org_id,
            {{ side }}_balance_cny as balance_cny,
            {{ side }}_avg_balance_cny_m as avg_balance_cny_m,
            {{ side }}_avg_balance_cny_y as avg_balance_cny_y,
            {{ side }}_balance_cny_last_month_end as balance_cny_last_month_end,
            {{ side }}_balance_cny_last_year_end as balance_cny_last_year_end
        from customer_days
        where
            {{ side }}_balance_cny <> 0
            or {{ side }}_avg_balance_cny_y <> 0
            or {{ side }}_balance_cny_last_year_end <> 0
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

changes as (
    select
        *,
        balance_cny - balance_cny_last_month_end as change_since_month_end,
        balance_cny - balance_cny_last_year_end as change_since_year_end
    from customer_sides
),

final as (
    -- ranks in the bank per day and side; ties share a rank (1, 1, 3)
    select
        *,
        rank() over (partition by biz_date, acct_type order by balance_cny desc) as balance_rank,
        rank() over (partition by biz_date, acct_type order by avg_balance_cny_m desc) as avg_m_rank,
        rank() over (partition by biz_date, acct_type order by avg_balance_cny_y desc) as avg_y_rank,
        rank() over (partition by biz_date, acct_type order by change_since_year_end desc) as increase_y_rank,
        rank() over (partition by biz_date, acct_type order by change_since_year_end asc) as decrease_y_rank,
        rank() over (partition by biz_date, acct_type order by change_since_month_end desc) as increase_m_rank,
        rank() over (partition by biz_date, acct_type order by change_since_month_end asc) as decrease_m_rank
    from changes
)

select * from final
