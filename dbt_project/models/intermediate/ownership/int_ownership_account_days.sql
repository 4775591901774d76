{{ config(materialized='table', tags=['daily'], post_hook=['analyze {{ this }}']) }}

{#- The account-days whose owners this build decides: every account-day of the window, and the
    days before it of the accounts a retroactive change restates (from its date on). -#}

with

account_days as not materialized (
    -- read twice (the window, the restated days): not materialized, so each read keeps its own date
    -- filter and PostgreSQL prunes the partitions (a materialized CTE would hold the whole history)
    select * from {{ ref('int_account_days_accumulated') }}
),

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

window_rows as (
    select
        account_days.*,
        false as is_restated
    from account_days
    where {{ window_filter('account_days.biz_date') }}
),

restated_rows as (
    select
        account_days.*,
        true as is_restated
    from account_days
    inner join restated_accounts
        on
            account_days.acct_type = restated_accounts.acct_type
            and account_days.acct_no = restated_accounts.acct_no
            and account_days.sub_acct_no = restated_accounts.sub_acct_no
    where
        account_days.biz_date >= restated_accounts.from_date
        and account_days.biz_date < {{ window_start("'-infinity'::date") }}
),

all_rows as (
    select * from window_rows
    union all
    select * from restated_rows
),

final as (
    select
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no,
        org_id as open_org_id,
        mgr_emp_id,
        open_date,
        balance,
        {{ day_amount_cny('balance', 'cny_rate', 'is_present') }} as balance_cny,
        cny_rate,
        is_restated
    from all_rows
)

select * from final
