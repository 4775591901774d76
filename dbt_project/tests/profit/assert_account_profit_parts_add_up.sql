-- rules.md, Simulated (FTP) profit: a deposit's profit is its interest spread; a loan's is its
-- spread - Δimpairment - Δaccrued unpaid interest - economic capital cost; a bill discount's
-- (loan_method D) is 0 (rules.md, spec 1.1.3). Checks the window's
-- rows; fails with each row whose parts do not add up to its profit. (The split of the profit by
-- side that fct_account_profit_daily shows is tested by its unit test.) Reads the FTP fact and the
-- account days each with the window's dates: a date range on one side of a join does not reach the
-- other, so reading the wide view with it would scan every day of the account-day history.

with

account_profits as (
    select * from {{ ref('fct_account_ftp_daily') }}
    where {{ window_filter('biz_date') }}
),

account_days as (
    select * from {{ ref('fct_account_daily') }}
    where {{ window_filter('biz_date') }}
),

profits as (
    select
        account_profits.*,
        account_days.loan_method
    from account_profits
    inner join account_days
        on
            account_profits.biz_date = account_days.biz_date
            and account_profits.acct_type = account_days.acct_type
            and account_profits.acct_no = account_days.acct_no
            and account_profits.sub_acct_no = account_days.sub_acct_no
),

final as (
    select
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no
    from profits
    where
        ftp_profit_cny is distinct from case
            when acct_type = 'DEP' then interest_margin_cny
            when loan_method = 'D' then 0
            else
                interest_margin_cny - delta_impairment_cny - delta_accrued_unpaid_int_cny
                - economic_capital_cost_cny
        end
)

select * from final
