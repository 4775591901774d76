{{ config(materialized='table', tags=['daily'], post_hook=['analyze {{ this }}']) }}

{#- The owners of each account-day being built, final: the transfer rule applied, owners who
    are not on the books replaced by the opening institution's virtual manager, portions
    measured, and shares and allocated CNY balances that add up exactly. -#}

with

candidates as (
    select * from {{ ref('int_account_owner_candidates') }}
),

account_days as (
    select * from {{ ref('int_ownership_account_days') }}
),

transfers as (
    select * from {{ ref('int_employee_transfers') }}
),

transfer_decisions as (
    select * from {{ ref('stg_control__transfer_decisions') }}
),

employees as (
    select * from {{ ref('int_employees_versioned') }}
),

year_end_balances as (
    select * from {{ ref('int_account_days_accumulated') }}
    {%- if window_bound('min_date') is not none and window_bound('max_date') is not none %}
        -- the year-ends the rebuilt days compare with, as literals (so only those days' partitions are
        -- probed): the window's years', and the year before's, as a restatement reaches back to the
        -- start of the previous year at most (int_ownership_restatements)
        where biz_date in (
            {%- for year in range(window_bound('min_date')[:4] | int - 2, window_bound('max_date')[:4] | int) %}
                '{{ year }}-12-31'::date{{ ', ' if not loop.last }}
            {%- endfor %}
        )
    {%- endif %}
),

transfer_effects as (
    -- rules.md, Transfer: an employee who moves on day T takes nothing he owned before T unless
    -- management carries it (all, or listed accounts); otherwise from T on it belongs to the
    -- virtual manager of the institution he left. The first transfer not carried decides.
    select
        candidates.biz_date,
        candidates.acct_type,
        candidates.acct_no,
        candidates.sub_acct_no,
        candidates.portion,
        candidates.emp_id,
        candidates.source,
        count(*) as transfer_count,
        (array_agg(transfers.from_org_id order by transfers.transfer_date) filter (
            where not (
                transfers.carry_mode = 'ALL'
                or (transfers.carry_mode = 'LIST' and carried_accounts.emp_id is not null)
            )
        ))[1] as reverted_to_org_id
    from candidates
    inner join transfers
        on
            candidates.emp_id = transfers.emp_id
            and candidates.relation_start_date < transfers.transfer_date
            and candidates.biz_date >= transfers.transfer_date
    left join transfer_decisions as carried_accounts
        on
            transfers.emp_id = carried_accounts.emp_id
            and transfers.transfer_date = carried_accounts.transfer_date
            and carried_accounts.carry_mode = 'LIST'
            and candidates.acct_type = carried_accounts.acct_type
            and candidates.acct_no = carried_accounts.acct_no
            and candidates.sub_acct_no = carried_accounts.sub_acct_no
    group by
        candidates.biz_date,
        candidates.acct_type,
        candidates.acct_no,
        candidates.sub_acct_no,
        candidates.portion,
        candidates.emp_id,
        candidates.source
),

after_transfers as (
    select
        candidates.*,
        account_days.open_org_id,
        account_days.balance,
        account_days.balance_cny,
        account_days.is_restated,
        case
            when transfer_effects.reverted_to_org_id is not null
                then {{ virtual_manager_id('transfer_effects.reverted_to_org_id') }}
            else candidates.emp_id
        end as owner_emp_id,
        case
            when transfer_effects.reverted_to_org_id is not null then 'TRANSFER_REVERT'
            when transfer_effects.transfer_count > 0 then 'TRANSFER_CARRY'
            else candidates.source
        end as owner_source
    from candidates
    inner join account_days
        on
            candidates.acct_type = account_days.acct_type
            and candidates.acct_no = account_days.acct_no
            and candidates.sub_acct_no = account_days.sub_acct_no
            and candidates.biz_date = account_days.biz_date
    left join transfer_effects
        on
            candidates.biz_date = transfer_effects.biz_date
            and candidates.acct_type = transfer_effects.acct_type
            and candidates.acct_no = transfer_effects.acct_no
            and candidates.sub_acct_no = transfer_effects.sub_acct_no
            and candidates.portion = transfer_effects.portion
            and candidates.emp_id = transfer_effects.emp_id
            and candidates.source = transfer_effects.source
),

on_the_books as (
    -- an owner must be on the books that day (an active employee, or a virtual manager of an
    -- existing institution); otherwise the share goes to the opening institution's virtual manager
    select
        after_transfers.*,
        employees.emp_id is not null as is_on_books,
        case
            when employees.emp_id is not null then after_transfers.owner_emp_id
            else {{ virtual_manager_id('after_transfers.open_org_id') }}
        end as held_by_emp_id
    from after_transfers
    left join employees
        on
            after_transfers.owner_emp_id = employees.emp_id
            and after_transfers.biz_date >= employees.valid_from
            and after_transfers.biz_date <= coalesce(employees.valid_to, 'infinity'::date)
            and employees.status = 'A'
),

owners_merged as (
    -- two rules can land on the same owner (a remainder and a reverted share): one row each
    select
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no,
        portion,
        held_by_emp_id as emp_id,
        max(open_org_id) as open_org_id,
        max(balance) as balance,
        max(balance_cny) as balance_cny,
        bool_or(is_restated) as is_restated,
        max(split_type) as split_type,
        max(stock_base) as stock_base,
        max(stock_base_amount) as stock_base_amount,
        max(threshold_amount) as threshold_amount,
        sum(share_pct) as share_pct,
        (array_agg(owner_source order by share_pct desc, owner_source asc))[1] as source,
        (array_agg(emp_id order by share_pct desc, emp_id asc))[1] as original_emp_id,
        bool_or(not is_on_books) as has_replaced_owner
    from on_the_books
    group by biz_date, acct_type, acct_no, sub_acct_no, portion, held_by_emp_id
),

stock_bases as (
    -- the previous year-end balance of accounts split into stock and increment
    select distinct on (
        owners_merged.acct_type, owners_merged.acct_no, owners_merged.sub_acct_no, owners_merged.biz_date
    )
        owners_merged.acct_type,
        owners_merged.acct_no,
        owners_merged.sub_acct_no,
        owners_merged.biz_date,
        coalesce(year_end_balances.balance, 0) as year_end_balance
    from owners_merged
    left join year_end_balances
        on
            owners_merged.acct_type = year_end_balances.acct_type
            and owners_merged.acct_no = year_end_balances.acct_no
            and owners_merged.sub_acct_no = year_end_balances.sub_acct_no
            and year_end_balances.biz_date = {{ period_start('owners_merged.biz_date', 'year') }} - 1
    where
        owners_merged.split_type = 'STOCK_INCREMENT'
        and owners_merged.stock_base = 'PREV_YEAR_END'
),

portion_limits as (
    -- the balance (account currency) up to which the first portion runs: stock base or threshold
    select
        owners_merged.*,
        case owners_merged.split_type
            when 'STOCK_INCREMENT'
                then
                    case owners_merged.stock_base
                        when 'FIXED' then owners_merged.stock_base_amount
                        else stock_bases.year_end_balance
                    end
            when 'THRESHOLD' then owners_merged.threshold_amount
        end as first_portion_limit
    from owners_merged
    left join stock_bases
        on
            owners_merged.acct_type = stock_bases.acct_type
            and owners_merged.acct_no = stock_bases.acct_no
            and owners_merged.sub_acct_no = stock_bases.sub_acct_no
            and owners_merged.biz_date = stock_bases.biz_date
),

portion_amounts as (
    -- stock = min(balance, base), increment = the rest; tier 1 = min(balance, T), tier 2 = the rest
    select
        *,
        case
            when portion = 'ALL' then balance_cny
            when balance = 0 then 0
            when portion in ('STOCK', 'TIER_1')
                then
                    round(balance_cny * least(balance, first_portion_limit) / balance, 2)
            else balance_cny - round(balance_cny * least(balance, first_portion_limit) / balance, 2)
        end as portion_balance_cny
    from portion_limits
),

portion_fractions as (
    select
        *,
        case
            when balance_cny <> 0 then portion_balance_cny / balance_cny
            when portion in ('ALL', 'STOCK', 'TIER_1') then 1
            else 0
        end as portion_fraction,
        row_number() over (
            partition by biz_date, acct_type, acct_no, sub_acct_no, portion order by share_pct desc, emp_id asc
        ) as rank_in_portion
    from portion_amounts
),

raw_allocations as (
    select
        *,
        round(portion_balance_cny * share_pct / 100, 2) as rounded_balance_cny,
        round(portion_fraction * share_pct / 100, 12) as rounded_share,
        row_number() over (
            partition by biz_date, acct_type, acct_no, sub_acct_no
            order by portion_fraction * share_pct desc, portion, emp_id asc
        ) as rank_in_account
    from portion_fractions
),

exact_allocations as (
    -- every owner's amount rounded to the fen, the largest one takes the rounding remainder, so
    -- the allocations add up to the portion (and the shares to 1) exactly
    select
        *,
        case
            when rank_in_portion = 1
                then portion_balance_cny - (sum(rounded_balance_cny) over by_portion - rounded_balance_cny)
            else rounded_balance_cny
        end as alloc_balance_cny,
        case
            when rank_in_account = 1 then 1 - (sum(rounded_share) over by_account - rounded_share)
            else rounded_share
        end as share
    from raw_allocations
    window
        by_portion as (partition by biz_date, acct_type, acct_no, sub_acct_no, portion),
        by_account as (partition by biz_date, acct_type, acct_no, sub_acct_no)
),

final as (
    select
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no,
        emp_id,
        portion,
        share,
        share_pct,
        source,
        original_emp_id,
        has_replaced_owner,
        open_org_id,
        portion_balance_cny,
        alloc_balance_cny,
        is_restated
    from exact_allocations
)

select * from final
