{{ config(materialized='view') }}

{#- peers: employees rank among employees (virtual managers are not ranked), institutions among the
    institutions of the same level; "in institution" adds the employee's institution / the parent -#}
{%- set peers = 'biz_date, caliber, indicator_code, subject_type, subject_level' %}
with

indicator_values as (
    select * from {{ ref('mart_indicator_value') }}
    where subject_kind is distinct from 'VIRTUAL'
),

ranked as (
    select
        *,
        -- better first: higher values for HIGHER indicators, lower ones for LOWER indicators
        case when direction = 'LOWER' then -value else value end as ranking_value
    from indicator_values
),

final as (
    select
        -- key
        biz_date::date as biz_date,
        subject_type::text as subject_type,
        subject_id::text as subject_id,
        caliber::text as caliber,
        indicator_code::text as indicator_code,
        -- the subject
        subject_name::text as subject_name,
        subject_kind::text as subject_kind,
        subject_level::integer as subject_level,
        parent_org_id::text as parent_org_id,
        -- the figures
        value::numeric as value,
        plan_value::numeric as plan_value,
        completion_pct::numeric as completion_pct,
        direction::text as direction,
        -- ranks (ties share a rank, the next one is skipped: 1, 1, 3)
        (rank() over (partition by {{ peers }} order by ranking_value desc nulls last))::integer
            as value_rank_in_bank,
        (count(*) over (partition by {{ peers }}))::integer as peers_in_bank,
        (rank() over (partition by {{ peers }}, parent_org_id order by ranking_value desc nulls last))::integer
            as value_rank_in_institution,
        (count(*) over (partition by {{ peers }}, parent_org_id))::integer as peers_in_institution,
        case
            when completion_pct is not null
                then (rank() over (
                    partition by {{ peers }}, completion_pct is null order by completion_pct desc
                ))::integer
        end as completion_rank_in_bank,
        case
            when completion_pct is not null
                then (rank() over (
                    partition by {{ peers }}, parent_org_id, completion_pct is null order by completion_pct desc
                ))::integer
        end as completion_rank_in_institution
    from ranked
)

select * from final
