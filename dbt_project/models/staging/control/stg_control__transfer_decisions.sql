with

source as (
    select * from {{ source('control', 'transfer_decisions_current') }}
),

final as (
    select
        -- ids
        set_key,
        batch_id,
        {{ clean_text('emp_id') }} as emp_id,
        {{ clean_text('acct_no') }} as acct_no,
        coalesce({{ clean_text('sub_acct_no') }}, '') as sub_acct_no,
        -- codes
        carry_mode,
        acct_type,
        -- dates
        transfer_date
    from source
)

select * from final
