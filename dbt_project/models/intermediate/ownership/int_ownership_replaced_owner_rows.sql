{{ config(materialized='table', tags=['daily'], post_hook=['analyze {{ this }}']) }}

{#- The owner rows this build is about to replace: the days before the window of the accounts it
    restates, as fct_account_owner_daily holds them before its build (that model runs after this
    one). The aggregates over owners compare them with the restated rows and rebuild only the
    subjects whose figures a restatement changes (first_rebuilt_date(), touched_subjects()).

    The one read of a mart from intermediate: the mart's own previous state, like an incremental
    model's `this`, not a layer above (no ref, so no dependency: fct_account_owner_daily depends on
    this model). `is_previous_build` is false when the mart already holds days of this window (a
    rerun after a failed build that may have restated the accounts already): the rows may then be
    the new ones, and the aggregates rebuild every subject from the first restated day. -#}
-- depends_on: {{ ref('int_ownership_restatements') }}
{%- set previous_owner_rows = (
    "(select null::date as biz_date, null::text as acct_type, null::text as acct_no, null::text as sub_acct_no,"
    ~ " null::text as emp_id, null::text as portion, null::text as owner_org_id, null::numeric(16, 12) as share,"
    ~ " null::numeric(20, 2) as alloc_balance_cny where false)"
) %}
{%- if execute %}
    {%- set owner_node = graph.nodes.values() | selectattr('name', 'equalto', 'fct_account_owner_daily') | first %}
    {%- set owner_table = adapter.get_relation(this.database, owner_node.schema, owner_node.alias) %}
    {%- if owner_table is not none %}
        {%- set previous_owner_rows = owner_table %}
    {%- endif %}
{%- endif %}
with

restatements as (
    select * from {{ ref('int_ownership_restatements') }}
),

restated_accounts as (
    select
        acct_type,
        acct_no,
        sub_acct_no,
        min(from_date) as from_date
    from restatements
    where is_restated
    group by acct_type, acct_no, sub_acct_no
),

previous_build as (
    -- the mart holds no day of this window yet: its rows are those of the previous build
    select not exists (
        select 1 from {{ previous_owner_rows }} as window_rows
        where window_rows.biz_date >= {{ window_start("'-infinity'::date") }}
    ) as is_previous_build
),

final as (
    select
        owner_rows.biz_date::date as biz_date,
        owner_rows.acct_type::text as acct_type,
        owner_rows.acct_no::text as acct_no,
        owner_rows.sub_acct_no::text as sub_acct_no,
        owner_rows.emp_id::text as emp_id,
        owner_rows.portion::text as portion,
        owner_rows.owner_org_id::text as owner_org_id,
        owner_rows.share::numeric(16, 12) as share,
        owner_rows.alloc_balance_cny::numeric(20, 2) as alloc_balance_cny,
        previous_build.is_previous_build
    from {{ previous_owner_rows }} as owner_rows
    inner join restated_accounts
        on
            owner_rows.acct_type = restated_accounts.acct_type
            and owner_rows.acct_no = restated_accounts.acct_no
            and owner_rows.sub_acct_no = restated_accounts.sub_acct_no
    cross join previous_build
    where
        owner_rows.biz_date >= restated_accounts.from_date
        and owner_rows.biz_date < {{ window_start("'-infinity'::date") }}
)

select * from final
