with

source as (
    select * from {{ source('control', 'restatement_log') }}
),

final as (
    select
        -- ids
        restatement_id,
        batch_id,
        set_key,
        -- codes
        kind,
        status,
        -- text
        reason,
        requested_by,
        -- dates
        from_date,
        requested_at
    from source
)

select * from final
