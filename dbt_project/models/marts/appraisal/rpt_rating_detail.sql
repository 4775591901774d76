{{ config(materialized='view') }}

{#- Every 360-degree rating in force with its rater: the performance office's working list only
    (permissions.yaml), never shown to ratees or branch heads. -#}

with

ratings as (
    select * from {{ ref('stg_control__ratings') }}
),

final as (
    select
        -- key
        ratings.period::text as period,
        ratings.emp_id::text as emp_id,
        ratings.rater_type::text as rater_type,
        ratings.rater_id::text as rater_id,
        ratings.component::text as component,
        ratings.item_code::text as item_code,
        -- the rating
        ratings.score::numeric as score,
        ratings.note::text as note,
        ratings.batch_id::bigint as batch_id
    from ratings
)

select * from final
