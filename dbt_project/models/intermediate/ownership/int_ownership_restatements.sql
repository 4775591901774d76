{{ config(materialized='table', tags=['daily'], post_hook=['analyze {{ this }}']) }}

{#- What this build must restate before its window: one row per account and reason, with the date
    from which its ownership is recomputed. Empty on a first build or a full rebuild, where every
    day is computed anyway. -#}
{%- set window_first = window_start('null::date') %}

with

restatements as (
    select * from {{ ref('stg_control__restatements') }}
),

applied_versions as (
    select * from {{ ref('int_account_relations_applied') }}
),

overrides as (
    select * from {{ ref('stg_control__ownership_overrides') }}
),

approvals as (
    select * from {{ ref('stg_control__relation_approvals') }}
),

account_days as (
    select * from {{ ref('int_account_days_accumulated') }}
),

limits as (
    -- rules.md: a retroactive change restates back to the start of the previous year at most
    select
        {{ window_first }} as window_first_date,
        ({{ period_start(window_first, 'year') }} - interval '1 year')::date as earliest_date
),

pending as (
    -- the ownership inputs' entries (other kinds' restatements are not this build's to mark done)
    select restatements.*
    from restatements
    where
        restatements.status = 'PENDING'
        and restatements.kind in ('ownership_override', 'relation_approval', 'transfer_decision')
),

account_inputs as (
    -- an override or an approved relation set names its account in its set key
    select
        restatement_id,
        kind,
        reason,
        from_date,
        split_part(set_key, '|', 1) as acct_type,
        split_part(set_key, '|', 2) as acct_no,
        split_part(set_key, '|', 3) as sub_acct_no
    from pending
    where kind in ('ownership_override', 'relation_approval')
),

transfer_inputs as (
    select
        restatement_id,
        kind,
        reason,
        from_date,
        split_part(set_key, '|', 1) as emp_id
    from pending
    where kind = 'transfer_decision'
),

accounts_named_by_owner as (
    -- every account a transferred employee can own: in an override, an approved relation, a REL set
    -- or as the ledger's manager (a superset: restating an unaffected account changes nothing)
    select
        acct_type,
        acct_no,
        sub_acct_no,
        emp_id
    from overrides
    union
    select
        acct_type,
        acct_no,
        sub_acct_no,
        emp_id
    from approvals
    union
    select
        acct_type,
        acct_no,
        sub_acct_no,
        emp_id
    from applied_versions
    where emp_id is not null
    union
    select
        account_days.acct_type,
        account_days.acct_no,
        account_days.sub_acct_no,
        account_days.mgr_emp_id as emp_id
    from account_days
    where
        -- the day before the window, as a literal: PostgreSQL reads that day's partition and BRIN range
        -- only (compared with a column of `limits` it scanned the window's month partition whole)
        account_days.biz_date = {{ window_first }} - 1
        and account_days.mgr_emp_id is not null
),

transfer_accounts as (
    select
        transfer_inputs.restatement_id,
        transfer_inputs.kind,
        transfer_inputs.reason,
        transfer_inputs.from_date,
        accounts_named_by_owner.acct_type,
        accounts_named_by_owner.acct_no,
        accounts_named_by_owner.sub_acct_no
    from transfer_inputs
    inner join accounts_named_by_owner
        on transfer_inputs.emp_id = accounts_named_by_owner.emp_id
),

new_versions as (
    -- the accounts whose REL set this build changed (int_account_relations_applied writes a
    -- version only for a change)
    select * from applied_versions
    where {{ window_filter('applied_date') }}
),

previous_versions as (
    -- the set the previous build applied to each account
    {{ latest_relation_versions('applied_versions', window_start('null::date')) }}
),

relation_versions as (
    -- the relations of the two sets of an account that has both; a row in one but not the other
    -- is a change (an account without an earlier set has no day before the window to restate)
    select
        previous_versions.acct_type,
        previous_versions.acct_no,
        previous_versions.sub_acct_no,
        previous_versions.emp_id,
        previous_versions.share_pct,
        previous_versions.start_date,
        previous_versions.end_date,
        true as is_previous
    from previous_versions
    where
        previous_versions.emp_id is not null
        and exists (
            select 1 from new_versions
            where
                new_versions.acct_type = previous_versions.acct_type
                and new_versions.acct_no = previous_versions.acct_no
                and new_versions.sub_acct_no = previous_versions.sub_acct_no
        )
    union all
    select
        new_versions.acct_type,
        new_versions.acct_no,
        new_versions.sub_acct_no,
        new_versions.emp_id,
        new_versions.share_pct,
        new_versions.start_date,
        new_versions.end_date,
        false as is_previous
    from new_versions
    where
        new_versions.emp_id is not null
        and exists (
            select 1 from previous_versions
            where
                previous_versions.acct_type = new_versions.acct_type
                and previous_versions.acct_no = new_versions.acct_no
                and previous_versions.sub_acct_no = new_versions.sub_acct_no
        )
),

relation_changes as (
    select
        acct_type,
        acct_no,
        sub_acct_no,
        emp_id,
        share_pct,
        start_date,
        end_date,
        bool_and(is_previous) as is_previous
    from relation_versions
    group by acct_type, acct_no, sub_acct_no, emp_id, share_pct, start_date, end_date
    having count(distinct is_previous) = 1
),

relation_change_dates as (
    -- the first day a changed relation changes ownership: REL is applied day by day as (owner,
    -- share, start) in force, so a relation that only gained or lost an end date (a handover: the
    -- old owner's relation ends yesterday, the new one starts today) changes nothing before the
    -- earlier of its two ends; any other change counts from the relation's start
    select
        acct_type,
        acct_no,
        sub_acct_no,
        start_date,
        case
            when count(*) filter (where is_previous) = 1 and count(*) filter (where not is_previous) = 1
                then least(max(end_date) filter (where is_previous), max(end_date) filter (where not is_previous)) + 1
            else start_date
        end as effective_date
    from relation_changes
    group by acct_type, acct_no, sub_acct_no, emp_id, share_pct, start_date
),

relation_accounts as (
    select
        null::bigint as restatement_id,
        'core_rel' as kind,
        'REL changed a relation dated ' || min(relation_change_dates.start_date)::text
        || ' in force from ' || min(relation_change_dates.effective_date)::text || ' (before this window)' as reason,
        min(relation_change_dates.effective_date) as from_date,
        relation_change_dates.acct_type,
        relation_change_dates.acct_no,
        relation_change_dates.sub_acct_no
    from relation_change_dates
    cross join limits
    where
        relation_change_dates.effective_date < limits.window_first_date
    group by relation_change_dates.acct_type, relation_change_dates.acct_no, relation_change_dates.sub_acct_no
),

requested as (
    select * from account_inputs
    union all
    select * from transfer_accounts
    union all
    select * from relation_accounts
),

log_entries_without_accounts as (
    -- a pending entry that names no account still counts as carried out by this build
    select
        pending.restatement_id,
        pending.kind,
        pending.reason,
        pending.from_date,
        null::text as acct_type,
        null::text as acct_no,
        null::text as sub_acct_no
    from pending
    where not exists (
        select 1 from requested
        where requested.restatement_id = pending.restatement_id
    )
),

requested_all as (
    select * from requested
    union all
    select * from log_entries_without_accounts
),

final as (
    select
        requested_all.restatement_id,
        requested_all.kind,
        requested_all.reason,
        requested_all.acct_type,
        requested_all.acct_no,
        requested_all.sub_acct_no,
        requested_all.from_date as requested_from_date,
        greatest(requested_all.from_date, limits.earliest_date) as from_date,
        requested_all.acct_no is not null
        and greatest(requested_all.from_date, limits.earliest_date) < limits.window_first_date as is_restated
    from requested_all
    cross join limits
    where limits.window_first_date is not null or requested_all.restatement_id is not null
)

select * from final
