with

source as (
    select * from {{ source('control', 'relation_approvals_current') }}
),

final as (
    select
        -- ids
        set_key,
        batch_id,
        {{ clean_text('acct_no') }} as acct_no,
        coalesce({{ clean_text('sub_acct_no') }}, '') as sub_acct_no,
        {{ clean_text('emp_id') }} as emp_id,
        {{ clean_text('approved_by') }} as approved_by,
        -- codes
        acct_type,
        is_lead,
        -- amounts
        share_pct,
        -- dates
        start_date,
        end_date
    from source
)

select * from final
