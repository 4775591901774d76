with

source as (
    select * from {{ source('control', 'referrals_current') }}
),

final as (
    select
        -- ids
        acct_no,
        sub_acct_no,
        {{ clean_text('referring_org_id') }} as referring_org_id,
        {{ clean_text('department_org_id') }} as department_org_id,
        set_key,
        batch_id,
        -- codes
        acct_type,
        -- rates
        referrer_share_pct,
        -- text
        note,
        -- dates
        effective_date,
        end_date
    from source
)

select * from final
