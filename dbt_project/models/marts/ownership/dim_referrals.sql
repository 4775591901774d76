{{ config(materialized='view', tags=['daily']) }}

with

imported_referrals as (
    select * from {{ ref('stg_control__referrals') }}
),

imported_versions as (
    select
        acct_type,
        acct_no,
        sub_acct_no,
        effective_date,
        end_date as own_valid_to,
        referring_org_id,
        department_org_id,
        referrer_share_pct,
        note
    from imported_referrals
),

default_versions as (
    -- nothing is referred until the office records it
    select * from imported_versions
    where false
),

{{ scheme_versions(
    'imported_versions', 'default_versions', ['acct_type', 'acct_no', 'sub_acct_no'],
    ['referring_org_id', 'department_org_id', 'referrer_share_pct', 'note']
) }},

final as (
    select
        -- key
        acct_type::text as acct_type,
        acct_no::text as acct_no,
        sub_acct_no::text as sub_acct_no,
        valid_from::date as valid_from,
        -- the agreement
        valid_to::date as valid_to,
        referring_org_id::text as referring_org_id,
        department_org_id::text as department_org_id,
        referrer_share_pct::numeric(9, 4) as referrer_share_pct,
        note::text as note
    from versioned_rows
)

select * from final
