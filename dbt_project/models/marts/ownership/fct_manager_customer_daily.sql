{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        indexes=[
            {'columns': ['biz_date'], 'type': 'brin'},
            {'columns': ['emp_id', 'biz_date']},
        ],
        pre_hook=[
            "{{ replace_changed_owner_rows(restated_owner_customer_keys(), ['biz_date', 'emp_id'], ['cust_id']) }}",
        ],
        post_hook=["analyze {{ this }}"],
    )
}}

-- depends_on: {{ ref('int_account_days_accumulated') }}
{#- Each owner's customers, one narrow row per business date × owner × customer held that day: the
    allocated deposit and loan balances. rpt_manager_customers (客户情况) compares them with the
    previous month-end and names the customer.

    A restatement's changes before the window are applied by difference (rebuilt_by_difference): only the
    owner x customer days it changes (restated_owner_customer_keys(), moved aside by the pre-hook
    replace_changed_owner_rows) are written again, as stored plus the changed account-days' owner rows
    after, less before; each row counts the account-days it sums, so a customer the restatement takes from
    an owner disappears from his rows as in a rebuild, and the touched owners' other rows stay as they are.
    Otherwise (every owner rebuilt: a rerun, no window) the touched owners' rows are read from the first
    rebuilt day. -#}
{%- set by_difference = rebuilt_by_difference() %}
with

owner_rows as (
    -- every owner in the window, and (unless rebuilt by difference) the owners a restatement touched
    -- before it
    select * from {{ ref('fct_account_owner_daily') }}
    {%- if by_difference %}
        where {{ window_filter('biz_date') }}
    {%- else %}
        where
            {{ rebuilt_days_filter('biz_date') }}
            and {{ rebuilt_subject_days_filter('biz_date', "'EMP'", 'emp_id') }}
    {%- endif %}
),

account_days as (
    {{ rebuilt_account_days(ref('fct_account_daily'), 'owner_rows', by_difference) }}
),

{%- if by_difference %}

restated_owner_rows as (
    -- the owner rows of the account-days a restatement changed before the window, before and after
    {{ restated_owner_rows() }}
),

restated_days as (
    -- their customers, by key
    {{ changed_account_rows(ref('int_account_days_accumulated'), 'restated_owner_rows') }}
),
{%- endif %}

owned_account_days as (
    -- each owner's allocation of an account-day, with its customer (an owner of two portions once);
    -- a restated account-day's allocation before counts negatively
    select
        owner_rows.biz_date,
        owner_rows.emp_id,
        account_days.cust_id,
        coalesce(sum(owner_rows.alloc_balance_cny) filter (where owner_rows.acct_type = 'DEP'), 0)
            as deposit_balance_cny,
        coalesce(sum(owner_rows.alloc_balance_cny) filter (where owner_rows.acct_type = 'LOAN'), 0)
            as loan_balance_cny,
        1 as account_count
    from owner_rows
    inner join account_days
        on
            owner_rows.biz_date = account_days.biz_date
            and owner_rows.acct_type = account_days.acct_type
            and owner_rows.acct_no = account_days.acct_no
            and owner_rows.sub_acct_no = account_days.sub_acct_no
    where owner_rows.share <> 0
    group by
        owner_rows.biz_date, owner_rows.emp_id, account_days.cust_id,
        owner_rows.acct_type, owner_rows.acct_no, owner_rows.sub_acct_no
    {%- if by_difference %}
        union all
        select
            restated_owner_rows.biz_date,
            restated_owner_rows.emp_id,
            restated_days.cust_id,
            {%- for acct_type, measure in [('DEP', 'deposit_balance_cny'), ('LOAN', 'loan_balance_cny')] %}
                case when restated_owner_rows.side = 'BEFORE' then -1 else 1 end * coalesce(
                    sum(restated_owner_rows.alloc_balance_cny)
                        filter (where restated_owner_rows.acct_type = '{{ acct_type }}'), 0
                ) as {{ measure }},
            {%- endfor %}
            case when restated_owner_rows.side = 'BEFORE' then -1 else 1 end as account_count
        from restated_owner_rows
        inner join restated_days
            on
                restated_owner_rows.biz_date = restated_days.biz_date
                and restated_owner_rows.acct_type = restated_days.acct_type
                and restated_owner_rows.acct_no = restated_days.acct_no
                and restated_owner_rows.sub_acct_no = restated_days.sub_acct_no
        group by
            restated_owner_rows.side, restated_owner_rows.biz_date, restated_owner_rows.emp_id,
            restated_days.cust_id, restated_owner_rows.acct_type, restated_owner_rows.acct_no,
            restated_owner_rows.sub_acct_no
        union all
        -- those owner x customer days as this build found them (replace_changed_owner_rows)
        select
            biz_date,
            emp_id,
            cust_id,
            deposit_balance_cny,
            loan_balance_cny,
            account_count
        from "{{ this.identifier }}__replaced"
    {%- endif %}
),

final as (
    select
        biz_date::date as biz_date,
        emp_id::text as emp_id,
        cust_id::text as cust_id,
        sum(deposit_balance_cny)::numeric(22, 2) as deposit_balance_cny,
        sum(loan_balance_cny)::numeric(22, 2) as loan_balance_cny,
        sum(account_count)::integer as account_count
    from owned_account_days
    group by biz_date, emp_id, cust_id
    -- a customer whose last account-day with the owner a restatement took away has no row, as in a rebuild
    having sum(account_count) > 0
)

select * from final
