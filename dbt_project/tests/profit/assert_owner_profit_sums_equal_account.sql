-- rules.md, Precision: daily interest and profit are carried exact through shares, so the owners'
-- parts of each day add up to the accounts' amounts exactly, at the exact-money scale (allocate_exactly
-- gives the largest owner the remainder). Checks the window's dates; fails with each day and measure
-- whose owners' sum differs from the accounts'.

with

account_profits as (
    select * from {{ ref('fct_account_ftp_daily') }}
    where {{ window_filter('biz_date') }}
),

owner_profits as (
    select * from {{ ref('fct_profit_owner_daily') }}
    where {{ window_filter('biz_date') }}
),

account_totals as (
    select
        biz_date,
        coalesce(sum(ftp_profit_cny) filter (where acct_type = 'DEP'), 0) as deposit_profit_cny,
        coalesce(sum(ftp_profit_cny) filter (where acct_type = 'LOAN'), 0) as loan_profit_cny,
        sum(transfer_income_cny) as transfer_income_cny,
        sum(transfer_expense_cny) as transfer_expense_cny,
        sum(coalesce(economic_capital_cost_cny, 0)) as economic_capital_cost_cny
    from account_profits
    group by biz_date
),

owner_totals as (
    select
        biz_date,
        sum(deposit_profit_cny) as deposit_profit_cny,
        sum(loan_profit_cny) as loan_profit_cny,
        sum(transfer_income_cny) as transfer_income_cny,
        sum(transfer_expense_cny) as transfer_expense_cny,
        sum(economic_capital_cost_cny) as economic_capital_cost_cny
    from owner_profits
    group by biz_date
),

final as (
    select
        account_totals.biz_date,
        account_totals.deposit_profit_cny as account_deposit_profit_cny,
        owner_totals.deposit_profit_cny as owner_deposit_profit_cny,
        account_totals.loan_profit_cny as account_loan_profit_cny,
        owner_totals.loan_profit_cny as owner_loan_profit_cny
    from account_totals
    left join owner_totals
        on account_totals.biz_date = owner_totals.biz_date
    where
        owner_totals.biz_date is null
        or account_totals.deposit_profit_cny <> owner_totals.deposit_profit_cny
        or account_totals.loan_profit_cny <> owner_totals.loan_profit_cny
        or account_totals.transfer_income_cny <> owner_totals.transfer_income_cny
        or account_totals.transfer_expense_cny <> owner_totals.transfer_expense_cny
        or account_totals.economic_capital_cost_cny <> owner_totals.economic_capital_cost_cny
)

select * from final
