{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        indexes=[{'columns': ['biz_date'], 'type': 'brin'}],
        pre_hook=[
            "{{ keep_replaced_owner_days() }}",
            "{{ delete_rebuilt_owner_days() }}",
        ],
        post_hook=["analyze {{ this }}"],
    )
}}

-- depends_on: {{ ref('int_account_days_accumulated') }}
{#- the account amounts split among owners by share, each exactly at the exact-money scale (allocate_exactly) #}
{%- set account_measures = [
    'ftp_profit_cny', 'transfer_income_cny', 'transfer_expense_cny', 'economic_capital_cost_cny', 'int_income_cny',
] %}
{%- set amounts = [
    'deposit_profit_cny', 'loan_profit_cny', 'transfer_income_cny', 'transfer_expense_cny', 'economic_capital_cost_cny',
    'loan_int_income_cny', 'fee_income_cny', 'fee_unassessed_cny', 'intl_settlement_cny',
] %}
{#- A restatement's touched owners are rebuilt before the window by difference (rebuilt_by_difference): their
    stored rows plus the allocations of the account-days the restatement changed, after less before (each row
    counts the allocations it sums, so a row the restatement empties disappears as in a rebuild). Otherwise
    (every owner rebuilt: a rerun, no window) the touched owners' account-days are read from the first
    rebuilt day. #}
{%- set by_difference = rebuilt_by_difference() %}
{%- set read_filter = window_filter('biz_date') if by_difference else rebuilt_owner_rows_filter(org_column=none) %}
with

touched_owner_rows as (  -- noqa: ST03
    -- the window's owner rows, and (unless rebuilt by difference) before it the touched owners' (only
    -- employees and virtual managers: this fact is by owner); read by rebuilt_account_days below on a
    -- windowed run only, hence unused in the unwindowed rendering
    select * from {{ ref('fct_account_owner_daily') }}
    where {{ read_filter }}
),

account_owners as (
    -- all owners of those account-days: an account's amounts are allocated among all of them
    {{ rebuilt_account_days(ref('fct_account_owner_daily'), 'touched_owner_rows', by_difference) }}
),

account_ftp as (
    {{ rebuilt_account_days(ref('fct_account_ftp_daily'), 'touched_owner_rows', by_difference) }}
),

account_days as (
    {{ rebuilt_account_days(ref('fct_account_daily'), 'touched_owner_rows', by_difference) }}
),

fee_allocations as (
    select * from {{ ref('fct_fee_allocations') }}
    where {{ read_filter }}
),

settlements as (
    select * from {{ ref('fct_intl_settlements') }}
    where {{ read_filter }}
),
{%- if by_difference %}

restated_owner_rows as (
    -- the owner rows of the account-days a restatement changed before the window, before and after
    {{ restated_owner_rows() }}
),

restated_ftp as (
    -- those account-days' profit measures and their account days, by key
    {{ changed_account_rows(ref('fct_account_ftp_daily'), 'restated_owner_rows') }}
),

restated_days as (
    {{ changed_account_rows(ref('int_account_days_accumulated'), 'restated_owner_rows') }}
),

replaced_owner_days as (
    -- the touched owners' rows before the window as this build found them (keep_replaced_owner_days)
    select * from "{{ this.identifier }}__replaced"
),
{%- endif %}

account_profits as (
    -- each account-day's profit measures with its institution and booked interest income (the FTP
    -- fact and the account days each read with the dates: a date range does not cross a join)
    select
        'READ' as side,
        account_ftp.biz_date,
        account_ftp.acct_type,
        account_ftp.acct_no,
        account_ftp.sub_acct_no,
        account_days.org_id,
        {%- for measure in account_measures if measure != 'int_income_cny' %}
            account_ftp.{{ measure }},
        {%- endfor %}
        account_days.int_income_cny
    from account_ftp
    inner join account_days
        on
            account_ftp.biz_date = account_days.biz_date
            and account_ftp.acct_type = account_days.acct_type
            and account_ftp.acct_no = account_days.acct_no
            and account_ftp.sub_acct_no = account_days.sub_acct_no
    {%- if by_difference %}
        union all
        -- the account-days a restatement changed before the window, once as allocated before (among
        -- their owners then) and once after
        select
            sides.side,
            restated_ftp.biz_date,
            restated_ftp.acct_type,
            restated_ftp.acct_no,
            restated_ftp.sub_acct_no,
            restated_days.org_id,
            {%- for measure in account_measures if measure != 'int_income_cny' %}
                restated_ftp.{{ measure }},
            {%- endfor %}
            {{ day_amount_cny('restated_days.int_income', 'restated_days.cny_rate', 'restated_days.is_present') }}
            ::numeric(20, 2) as int_income_cny
        from restated_ftp
        inner join restated_days
            on
                restated_ftp.biz_date = restated_days.biz_date
                and restated_ftp.acct_type = restated_days.acct_type
                and restated_ftp.acct_no = restated_days.acct_no
                and restated_ftp.sub_acct_no = restated_days.sub_acct_no
        cross join (values ('BEFORE'), ('AFTER')) as sides (side)
    {%- endif %}
),

owner_rows as (
    select
        'READ' as side,
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no,
        emp_id,
        owner_org_id,
        share
    from account_owners
    {%- if by_difference %}
        union all
        select
            side,
            biz_date,
            acct_type,
            acct_no,
            sub_acct_no,
            emp_id,
            owner_org_id,
            share
        from restated_owner_rows
    {%- endif %}
),

owner_shares as (
    -- each owner's share of an account-day (an owner of two portions holds their sum); `share` is
    -- the ownership interface's column name, a keyword to sqlfluff (RF04 waived)
    select
        side,
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no,
        emp_id,
        owner_org_id,
        sum(share) as owner_share
    from owner_rows
    group by side, biz_date, acct_type, acct_no, sub_acct_no, emp_id, owner_org_id
    having sum(share) > 0
),

account_owner_parts as (
    -- an account-day without owners (none expected: every account-day is fully owned) goes whole to
    -- the virtual manager of its opening institution
    select
        account_profits.*,
        coalesce(owner_shares.emp_id, {{ virtual_manager_id('account_profits.org_id') }}) as owner_emp_id,
        coalesce(owner_shares.owner_org_id, account_profits.org_id) as owner_org_id,
        coalesce(owner_shares.owner_share, 1) as owner_share
    from account_profits
    left join owner_shares
        on
            account_profits.side = owner_shares.side
            and account_profits.biz_date = owner_shares.biz_date
            and account_profits.acct_type = owner_shares.acct_type
            and account_profits.acct_no = owner_shares.acct_no
            and account_profits.sub_acct_no = owner_shares.sub_acct_no
),

account_allocations as (
    -- each owner's parts of an account-day; a restated account-day's parts before count negatively
    select
        biz_date,
        owner_emp_id as emp_id,
        owner_org_id,
        org_id as record_org_id,
        acct_type,
        {%- for measure in account_measures %}
            case when side = 'BEFORE' then -1 else 1 end * {{ allocate_exactly(
                'coalesce(' ~ measure ~ ', 0)', 'owner_share', 'side, biz_date, acct_type, acct_no, sub_acct_no',
                'owner_emp_id, owner_org_id', exact_money_scale()
            ) }} as {{ measure }},
        {%- endfor %}
        case when side = 'BEFORE' then -1 else 1 end as allocation_count
    from account_owner_parts
),

owner_amounts as (
    select
        biz_date,
        emp_id,
        owner_org_id,
        record_org_id,
        case when acct_type = 'DEP' then ftp_profit_cny else 0 end as deposit_profit_cny,
        case when acct_type = 'LOAN' then ftp_profit_cny else 0 end as loan_profit_cny,
        transfer_income_cny,
        transfer_expense_cny,
        economic_capital_cost_cny,
        int_income_cny as loan_int_income_cny,
        0 as fee_income_cny,
        0 as fee_unassessed_cny,
        0 as intl_settlement_cny,
        allocation_count
    from account_allocations
    union all
    select
        biz_date,
        emp_id,
        owner_org_id,
        org_id as record_org_id,
        0 as deposit_profit_cny,
        0 as loan_profit_cny,
        0 as transfer_income_cny,
        0 as transfer_expense_cny,
        0 as economic_capital_cost_cny,
        0 as loan_int_income_cny,
        assessed_amount_cny as fee_income_cny,
        alloc_amount_cny - assessed_amount_cny as fee_unassessed_cny,
        0 as intl_settlement_cny,
        1 as allocation_count
    from fee_allocations
    union all
    select
        biz_date,
        emp_id,
        owner_org_id,
        org_id as record_org_id,
        0 as deposit_profit_cny,
        0 as loan_profit_cny,
        0 as transfer_income_cny,
        0 as transfer_expense_cny,
        0 as economic_capital_cost_cny,
        0 as loan_int_income_cny,
        0 as fee_income_cny,
        0 as fee_unassessed_cny,
        amount_cny as intl_settlement_cny,
        1 as allocation_count
    from settlements
    {%- if by_difference %}
        union all
        select
            biz_date,
            emp_id,
            owner_org_id,
            record_org_id,
            {%- for amount in amounts %}
                {{ amount }},
            {%- endfor %}
            allocation_count
        from replaced_owner_days
    {%- endif %}
),

final as (
    select
        -- key
        biz_date::date as biz_date,
        emp_id::text as emp_id,
        owner_org_id::text as owner_org_id,
        record_org_id::text as record_org_id,
        -- the owner's parts of the day, CNY
        -- interest and profit exact (rules.md, Precision), booked fees and settlements to the fen
        sum(deposit_profit_cny)::{{ exact_money() }} as deposit_profit_cny,
        sum(loan_profit_cny)::{{ exact_money() }} as loan_profit_cny,
        sum(transfer_income_cny)::{{ exact_money() }} as transfer_income_cny,
        sum(transfer_expense_cny)::{{ exact_money() }} as transfer_expense_cny,
        sum(economic_capital_cost_cny)::{{ exact_money() }} as economic_capital_cost_cny,
        sum(loan_int_income_cny)::{{ exact_money() }} as loan_int_income_cny,
        sum(fee_income_cny)::numeric(20, 2) as fee_income_cny,
        sum(fee_unassessed_cny)::numeric(20, 2) as fee_unassessed_cny,
        sum(intl_settlement_cny)::numeric(20, 2) as intl_settlement_cny,
        -- what the row sums (a row left without any disappears: a restatement took its last account-day)
        sum(allocation_count)::integer as allocation_count
    from owner_amounts
    -- every owner in the window, the owners a restatement touched before it
    where {{ rebuilt_subject_days_filter('biz_date', "'EMP'", 'emp_id') }}
    group by biz_date, emp_id, owner_org_id, record_org_id
    having sum(allocation_count) > 0
)

select * from final
