with

source as (
    select * from {{ source('control', 'ownership_overrides_current') }}
),

final as (
    select
        -- ids
        set_key,
        batch_id,
        {{ clean_text('acct_no') }} as acct_no,
        coalesce({{ clean_text('sub_acct_no') }}, '') as sub_acct_no,
        {{ clean_text('emp_id') }} as emp_id,
        -- codes
        acct_type,
        split_type,
        portion,
        coalesce(stock_base, 'PREV_YEAR_END') as stock_base,
        coalesce(is_lead, false) as is_lead,
        -- amounts
        share_pct,
        stock_base_amount,
        threshold_amount,
        -- dates
        effective_date,
        end_date
    from source
)

select * from final
