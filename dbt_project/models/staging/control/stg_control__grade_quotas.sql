with

source as (
    select * from {{ source('control', 'grade_quotas_current') }}
),

final as (
    select
        -- ids
        set_key,
        batch_id,
        {{ clean_text('org_id') }} as org_id,
        role_code,
        grade,
        -- the quota
        quota_pct,
        -- dates
        effective_date
    from source
)

select * from final
