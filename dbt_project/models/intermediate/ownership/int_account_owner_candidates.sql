{{ config(materialized='table', tags=['daily'], post_hook=['analyze {{ this }}']) }}

{#- rules.md, Ownership: for each account-day the owner set of the first rule that applies —
    1. a management override in force (an approved relation set counts as one), 2. REL rows in
    force if their shares sum to at most 100 % (the remainder to the opening institution's virtual
    manager; over 100 % is flagged and falls through), 3. the ledger's manager if that employee is
    on the books that day, 4. the virtual manager of the opening institution. One row per
    account-day × portion × candidate owner, before the transfer rule. -#}

with

account_days as (
    select * from {{ ref('int_ownership_account_days') }}
),

overrides as (
    select * from {{ ref('stg_control__ownership_overrides') }}
),

approvals as (
    select * from {{ ref('stg_control__relation_approvals') }}
),

relation_sets as (
    select * from {{ ref('int_relation_sets_evaluated') }}
),

employees as (
    select * from {{ ref('int_employees_versioned') }}
),

override_sets as (
    select
        acct_type,
        acct_no,
        sub_acct_no,
        effective_date as set_start_date,
        end_date as set_end_date,
        'OVERRIDE' as source,
        1 as source_rank,
        split_type,
        portion,
        emp_id,
        share_pct,
        stock_base,
        stock_base_amount,
        threshold_amount
    from overrides
    where acct_type in ('DEP', 'LOAN')
    union all
    select
        acct_type,
        acct_no,
        sub_acct_no,
        start_date as set_start_date,
        end_date as set_end_date,
        'RELATION_APPROVAL' as source,
        2 as source_rank,
        'ALL' as split_type,
        'ALL' as portion,
        emp_id,
        share_pct,
        null as stock_base,
        null::numeric as stock_base_amount,
        null::numeric as threshold_amount
    from approvals
    where acct_type in ('DEP', 'LOAN')
),

sets_in_force as (
    -- the set in force that day: the latest-starting one; an override before an approval
    select distinct on (account_days.acct_type, account_days.acct_no, account_days.sub_acct_no, account_days.biz_date)
        account_days.acct_type,
        account_days.acct_no,
        account_days.sub_acct_no,
        account_days.biz_date,
        override_sets.set_start_date,
        override_sets.source
    from account_days
    inner join override_sets
        on
            account_days.acct_type = override_sets.acct_type
            and account_days.acct_no = override_sets.acct_no
            and account_days.sub_acct_no = override_sets.sub_acct_no
            and account_days.biz_date >= override_sets.set_start_date
            and account_days.biz_date <= coalesce(override_sets.set_end_date, 'infinity'::date)
    order by
        account_days.acct_type asc,
        account_days.acct_no asc,
        account_days.sub_acct_no asc,
        account_days.biz_date asc,
        override_sets.set_start_date desc,
        override_sets.source_rank asc
),

override_owners as (
    select
        sets_in_force.acct_type,
        sets_in_force.acct_no,
        sets_in_force.sub_acct_no,
        sets_in_force.biz_date,
        override_sets.source,
        override_sets.split_type,
        override_sets.portion,
        override_sets.emp_id,
        override_sets.share_pct,
        override_sets.set_start_date as relation_start_date,
        override_sets.stock_base,
        override_sets.stock_base_amount,
        override_sets.threshold_amount
    from sets_in_force
    inner join override_sets
        on
            sets_in_force.acct_type = override_sets.acct_type
            and sets_in_force.acct_no = override_sets.acct_no
            and sets_in_force.sub_acct_no = override_sets.sub_acct_no
            and sets_in_force.set_start_date = override_sets.set_start_date
            and sets_in_force.source = override_sets.source
),

valid_relation_owners as (
    select
        acct_type,
        acct_no,
        sub_acct_no,
        biz_date,
        'REL' as source,
        emp_id,
        share_pct,
        relation_start_date
    from relation_sets
    where is_valid_set
    union all
    -- a partial set: the remainder goes to the opening institution's virtual manager
    select distinct
        acct_type,
        acct_no,
        sub_acct_no,
        biz_date,
        'REL_REMAINDER' as source,
        {{ virtual_manager_id('open_org_id') }} as emp_id,
        100 - total_share_pct as share_pct,
        null::date as relation_start_date
    from relation_sets
    where total_share_pct < 100
),

ledger_managers as (
    -- the ledger's manager, when that employee is on the books (active) that day
    select
        account_days.acct_type,
        account_days.acct_no,
        account_days.sub_acct_no,
        account_days.biz_date,
        account_days.mgr_emp_id as emp_id,
        account_days.open_date as relation_start_date
    from account_days
    inner join employees
        on
            account_days.mgr_emp_id = employees.emp_id
            and account_days.biz_date >= employees.valid_from
            and account_days.biz_date <= coalesce(employees.valid_to, 'infinity'::date)
    where
        employees.status = 'A'
        and not employees.is_virtual
),

decisions as (
    -- which rule decides each account-day
    select
        account_days.acct_type,
        account_days.acct_no,
        account_days.sub_acct_no,
        account_days.biz_date,
        account_days.open_org_id,
        case
            when sets_in_force.source is not null then sets_in_force.source
            when exists (
                select 1 from valid_relation_owners
                where
                    valid_relation_owners.acct_type = account_days.acct_type
                    and valid_relation_owners.acct_no = account_days.acct_no
                    and valid_relation_owners.sub_acct_no = account_days.sub_acct_no
                    and valid_relation_owners.biz_date = account_days.biz_date
            ) then 'REL'
            when ledger_managers.emp_id is not null then 'LEDGER_MANAGER'
            else 'VIRTUAL'
        end as decided_by,
        ledger_managers.emp_id as ledger_emp_id,
        ledger_managers.relation_start_date as ledger_start_date
    from account_days
    left join sets_in_force
        on
            account_days.acct_type = sets_in_force.acct_type
            and account_days.acct_no = sets_in_force.acct_no
            and account_days.sub_acct_no = sets_in_force.sub_acct_no
            and account_days.biz_date = sets_in_force.biz_date
    left join ledger_managers
        on
            account_days.acct_type = ledger_managers.acct_type
            and account_days.acct_no = ledger_managers.acct_no
            and account_days.sub_acct_no = ledger_managers.sub_acct_no
            and account_days.biz_date = ledger_managers.biz_date
),

candidates as (
    select
        override_owners.acct_type,
        override_owners.acct_no,
        override_owners.sub_acct_no,
        override_owners.biz_date,
        override_owners.source,
        override_owners.split_type,
        override_owners.portion,
        override_owners.emp_id,
        override_owners.share_pct,
        override_owners.relation_start_date,
        override_owners.stock_base,
        override_owners.stock_base_amount,
        override_owners.threshold_amount
    from override_owners
    union all
    select
        valid_relation_owners.acct_type,
        valid_relation_owners.acct_no,
        valid_relation_owners.sub_acct_no,
        valid_relation_owners.biz_date,
        valid_relation_owners.source,
        'ALL' as split_type,
        'ALL' as portion,
        valid_relation_owners.emp_id,
        valid_relation_owners.share_pct,
        valid_relation_owners.relation_start_date,
        null as stock_base,
        null::numeric as stock_base_amount,
        null::numeric as threshold_amount
    from valid_relation_owners
    inner join decisions
        on
            valid_relation_owners.acct_type = decisions.acct_type
            and valid_relation_owners.acct_no = decisions.acct_no
            and valid_relation_owners.sub_acct_no = decisions.sub_acct_no
            and valid_relation_owners.biz_date = decisions.biz_date
    where decisions.decided_by = 'REL'
    union all
    select
        acct_type,
        acct_no,
        sub_acct_no,
        biz_date,
        decided_by as source,
        'ALL' as split_type,
        'ALL' as portion,
        case decided_by
            when 'LEDGER_MANAGER' then ledger_emp_id
            else {{ virtual_manager_id('open_org_id') }}
        end as emp_id,
        100 as share_pct,
        case decided_by when 'LEDGER_MANAGER' then ledger_start_date end as relation_start_date,
        null as stock_base,
        null::numeric as stock_base_amount,
        null::numeric as threshold_amount
    from decisions
    where decided_by in ('LEDGER_MANAGER', 'VIRTUAL')
),

final as (
    select
        candidates.biz_date,
        candidates.acct_type,
        candidates.acct_no,
        candidates.sub_acct_no,
        candidates.portion,
        candidates.emp_id,
        candidates.share_pct,
        candidates.source,
        candidates.split_type,
        candidates.relation_start_date,
        candidates.stock_base,
        candidates.stock_base_amount,
        candidates.threshold_amount
    from candidates
)

select * from final
