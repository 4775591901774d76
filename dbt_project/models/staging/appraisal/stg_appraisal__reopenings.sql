with

source as (
    select * from {{ source('appraisal', 'reopenings') }}
),

final as (
    select
        -- ids
        reopening_id,
        close_id,
        -- who, when, why
        reopened_by,
        reopened_at,
        reason as reopen_reason
    from source
)

select * from final
