-- rules.md, Simulated (FTP) profit: a deposit's profit is its interest spread; a loan's is its
-- spread - Δimpairment - Δaccrued unpaid interest - economic capital cost; a bill discount's
-- (loan_method D) is 0 (rules.md, spec 1.1.3). Checks the window's
-- rows; fails with each row whose parts do not add up to its profit.

with

profits as (
    select * from {{ ref('fct_account_profit_daily') }}
    where {{ window_filter('biz_date') }}
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
        or ftp_profit_cny is distinct from coalesce(deposit_profit_cny, loan_profit_cny)
)

select * from final
