{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='biz_date',
        incremental_predicates=[window_filter('biz_date')],
        indexes=[{'columns': ['biz_date'], 'type': 'brin'}],
        post_hook=["analyze {{ this }}"],
    )
}}

with

fees as (
    select * from {{ ref('int_fee_transactions_converted') }}
),

employees as (
    select * from {{ ref('dim_employee') }}
),

account_owners as (
    -- the owner rows of the accounts the window's fees name (a few thousand of a day's million and more)
    select * from {{ ref('fct_account_owner_daily') }}
    where
        {{ window_filter('biz_date') }}
        and (biz_date, acct_no) in (
            select
                fees.biz_date,
                fees.acct_no
            from fees
        )
),

owner_shares as (
    -- each owner's share of an account on a day (an owner of two portions holds their sum);
    -- `share` is the ownership interface's column name, a keyword to sqlfluff (RF04 waived)
    select
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no,
        emp_id,
        owner_org_id,
        sum(share) as share  -- noqa: RF04
    from account_owners
    group by biz_date, acct_type, acct_no, sub_acct_no, emp_id, owner_org_id
    having sum(share) > 0
),

fee_employees as (
    -- the fee's employee, if known that day
    select
        fees.*,
        employees.emp_id as known_emp_id,
        employees.org_id as known_emp_org_id
    from fees
    left join employees
        on
            fees.emp_id = employees.emp_id
            and fees.biz_date >= employees.valid_from
            and fees.biz_date <= coalesce(employees.valid_to, 'infinity'::date)
),

fee_accounts as (
    -- the account whose owners take a fee without a known employee: its sub-account, or with no
    -- sub-account given the account's first sub-account owned that day (deposits before loans)
    select distinct on (fee_employees.biz_date, fee_employees.txn_id)
        fee_employees.biz_date,
        fee_employees.txn_id,
        owner_shares.acct_type,
        owner_shares.sub_acct_no
    from fee_employees
    inner join owner_shares
        on
            fee_employees.biz_date = owner_shares.biz_date
            and fee_employees.acct_no = owner_shares.acct_no
            and coalesce(fee_employees.sub_acct_no, owner_shares.sub_acct_no) = owner_shares.sub_acct_no
    where fee_employees.known_emp_id is null
    order by fee_employees.biz_date, fee_employees.txn_id, owner_shares.acct_type, owner_shares.sub_acct_no
),

routed_fees as (
    select
        fee_employees.*,
        fee_accounts.acct_type as routed_acct_type,
        fee_accounts.sub_acct_no as routed_sub_acct_no,
        case
            when fee_employees.known_emp_id is not null then 'EMP'
            when fee_accounts.txn_id is not null then 'ACCOUNT_OWNERS'
            else 'VIRTUAL'
        end as routing
    from fee_employees
    left join fee_accounts
        on
            fee_employees.biz_date = fee_accounts.biz_date
            and fee_employees.txn_id = fee_accounts.txn_id
),

fee_owners as (
    -- one row per fee and owner, with the owner's share of the fee
    select
        routed_fees.*,
        coalesce(
            owner_shares.emp_id, routed_fees.known_emp_id, {{ virtual_manager_id('routed_fees.org_id') }}
        ) as owner_emp_id,
        coalesce(owner_shares.owner_org_id, routed_fees.known_emp_org_id, routed_fees.org_id) as owner_org_id,
        coalesce(owner_shares.share, 1) as share  -- noqa: RF04
    from routed_fees
    left join owner_shares
        on
            routed_fees.routing = 'ACCOUNT_OWNERS'
            and routed_fees.biz_date = owner_shares.biz_date
            and routed_fees.routed_acct_type = owner_shares.acct_type
            and routed_fees.acct_no = owner_shares.acct_no
            and routed_fees.routed_sub_acct_no = owner_shares.sub_acct_no
),

allocations as (
    select
        *,
        {{ allocate_exactly('amount_cny', 'share', 'biz_date, txn_id', 'owner_emp_id') }} as alloc_amount_cny
    from fee_owners
),

final as (
    select
        -- key
        biz_date::date as biz_date,
        txn_id::text as txn_id,
        owner_emp_id::text as emp_id,
        -- the owner and the routing
        owner_org_id::text as owner_org_id,
        routing::text as routing,
        routed_acct_type::text as routed_acct_type,
        share::numeric(16, 12) as share,  -- noqa: RF04
        -- the transaction as recorded
        org_id::text as org_id,
        emp_id::text as recorded_emp_id,
        cust_id::text as cust_id,
        acct_no::text as acct_no,
        sub_acct_no::text as sub_acct_no,
        biz_line::text as biz_line,
        fee_code::text as fee_code,
        currency::text as currency,
        amount::numeric(20, 2) as amount,
        cny_rate::numeric(14, 6) as cny_rate,
        amount_cny::numeric(20, 2) as amount_cny,
        (exclusion_reason is null)::boolean as is_assessed,
        exclusion_reason::text as exclusion_reason,
        txn_date::date as txn_date,
        -- the owner's part, CNY
        alloc_amount_cny::numeric(20, 2) as alloc_amount_cny,
        (case when exclusion_reason is null then alloc_amount_cny else 0 end)::numeric(20, 2) as assessed_amount_cny
    from allocations
)

select * from final
