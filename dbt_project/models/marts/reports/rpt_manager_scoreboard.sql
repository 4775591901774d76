{{ config(materialized='view') }}

with

rankings as (
    select * from {{ ref('mart_ranking') }}
),

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

final as (
    -- a manager's own figures with his rank in the bank and in his institution (assessed indicators)
    select
        rankings.biz_date,
        rankings.subject_id as emp_id,
        rankings.subject_name as emp_name,
        rankings.parent_org_id as org_id,
        rankings.subject_kind as post_code,
        rankings.indicator_code,
        catalogue.name_zh as indicator_name_zh,
        catalogue.unit,
        rankings.value,
        rankings.plan_value,
        rankings.completion_pct,
        rankings.value_rank_in_bank,
        rankings.peers_in_bank,
        rankings.value_rank_in_institution,
        rankings.peers_in_institution,
        rankings.completion_rank_in_bank
    from rankings
    inner join catalogue
        on rankings.indicator_code = catalogue.indicator_code
    where
        rankings.subject_type = 'EMP'
        and catalogue.is_assessed
)

select * from final
