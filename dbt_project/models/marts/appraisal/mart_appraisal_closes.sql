{{ config(materialized='view') }}

with

closes as (
    select * from {{ ref('stg_appraisal__closes') }}
),

reopenings as (
    select * from {{ ref('stg_appraisal__reopenings') }}
),

final as (
    select
        -- key
        closes.close_id::bigint as close_id,
        -- the period
        closes.period::text as period,
        closes.period_type::text as period_type,
        closes.close_version::integer as close_version,
        closes.biz_date::date as biz_date,
        -- its state: the latest close without a reopening is in force
        (
            case
                when reopenings.close_id is not null then 'REOPENED'
                when not closes.is_latest_version then 'SUPERSEDED'
                else 'CLOSED'
            end
        )::text as close_status,
        (reopenings.close_id is null and closes.is_latest_version)::boolean as is_in_force,
        -- who and when
        closes.closed_by::text as closed_by,
        closes.closed_at::timestamptz as closed_at,
        closes.note::text as note,
        reopenings.reopened_by::text as reopened_by,
        reopenings.reopened_at::timestamptz as reopened_at,
        reopenings.reopen_reason::text as reopen_reason,
        -- the versions used
        closes.plan_batch_ids::bigint[] as plan_batch_ids,
        closes.score_batch_ids::bigint[] as score_batch_ids,
        closes.scheme_version::text as scheme_version
    from closes
    left join reopenings
        on closes.close_id = reopenings.close_id
)

select * from final
