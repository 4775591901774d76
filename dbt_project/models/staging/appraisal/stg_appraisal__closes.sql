with

closes as (
    select * from {{ source('appraisal', 'closes') }}
),

final as (
    -- the close's status is a fact of the append-only store (a later close or a reopening), so it is
    -- derived here with the latest version of the period; no other table is joined
    select
        -- ids
        close_id,
        period,
        period_type,
        version as close_version,
        -- who and when
        closed_by,
        closed_at,
        note,
        -- the versions used
        plan_batch_ids,
        score_batch_ids,
        scheme_version,
        -- dates
        biz_date,
        -- the latest close of its period
        version = max(version) over (partition by period) as is_latest_version
    from closes
)

select * from final
