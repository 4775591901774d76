{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        tags=['daily'],
        pre_hook=[
            "{{ assert_window_is_latest('applied_date') }}",
            "{{ delete_from_window_start('applied_date') }}",
        ],
        post_hook=['analyze {{ this }}'],
    )
}}

{#- The REL relations the warehouse applies to each deposit and loan account, one version per
    change: the REL snapshot of the account's last day in the ledger. Once an account has left the
    ledger (closed), REL dropping its relations does not rewrite its history (see the doc
    ownership_relations_applied). -#}

{#- what a set is made of: two versions of an account differ when these do -#}
{%- set set_columns = ['acct_type', 'acct_no', 'sub_acct_no', 'emp_id', 'share_pct', 'start_date', 'end_date'] %}

with

account_days as (
    select * from {{ ref('int_account_days_accumulated') }}
),

relations as (
    select * from {{ ref('stg_core__ownership_relations') }}
),

stored_versions as (
    select * from {{ this_or_empty() }}
),

ledger_accounts as (
    -- the accounts in the window's ledger snapshots, with their last day there
    select
        acct_type,
        acct_no,
        sub_acct_no,
        max(biz_date) as applied_date
    from account_days
    where
        {{ window_filter('biz_date') }}
        and is_present
    group by acct_type, acct_no, sub_acct_no
),

snapshot_sets as (
    -- each account's relations in the REL snapshot of that day; an account it lists no relation
    -- for gets one row without an employee (its set is empty)
    select
        ledger_accounts.acct_type,
        ledger_accounts.acct_no,
        ledger_accounts.sub_acct_no,
        ledger_accounts.applied_date,
        relations.emp_id,
        relations.share_pct,
        relations.start_date,
        relations.end_date
    from ledger_accounts
    left join relations
        on
            {{ window_filter('relations.biz_date') }}
            and ledger_accounts.applied_date = relations.biz_date
            and ledger_accounts.acct_type = relations.acct_type
            and ledger_accounts.acct_no = relations.acct_no
            and ledger_accounts.sub_acct_no = coalesce(relations.sub_acct_no, '')
),

previous_versions as (
    {{ latest_relation_versions('stored_versions') }}
),

previous_sets as (
    select previous_versions.*
    from previous_versions
    inner join ledger_accounts
        on
            previous_versions.acct_type = ledger_accounts.acct_type
            and previous_versions.acct_no = ledger_accounts.acct_no
            and previous_versions.sub_acct_no = ledger_accounts.sub_acct_no
),

differences as (
    (
        select
            {%- for column in set_columns %}
                {{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from snapshot_sets
        except
        select
            {%- for column in set_columns %}
                {{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from previous_sets
    )
    union all
    (
        select
            {%- for column in set_columns %}
                {{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from previous_sets
        except
        select
            {%- for column in set_columns %}
                {{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from snapshot_sets
    )
),

changed_accounts as (
    select distinct
        acct_type,
        acct_no,
        sub_acct_no
    from differences
),

final as (
    select
        snapshot_sets.acct_type::text as acct_type,
        snapshot_sets.acct_no::text as acct_no,
        snapshot_sets.sub_acct_no::text as sub_acct_no,
        snapshot_sets.applied_date::date as applied_date,
        snapshot_sets.emp_id::text as emp_id,
        snapshot_sets.share_pct::numeric as share_pct,
        snapshot_sets.start_date::date as start_date,
        snapshot_sets.end_date::date as end_date
    from snapshot_sets
    inner join changed_accounts
        on
            snapshot_sets.acct_type = changed_accounts.acct_type
            and snapshot_sets.acct_no = changed_accounts.acct_no
            and snapshot_sets.sub_acct_no = changed_accounts.sub_acct_no
)

select * from final
