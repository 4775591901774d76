-- rules.md, Simulated (FTP) profit: a deposit's profit is its interest spread; a loan's is its
-- spread - Δimpairment - Δaccrued unpaid interest - economic capital cost. Checks the window's
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
        ftp_profit_cny is distinct from case acct_type
            when 'DEP' then interest_margin_cny
            when 'LOAN'
                then
                    interest_margin_cny - delta_impairment_cny - delta_accrued_unpaid_int_cny
                    - economic_capital_cost_cny
        end
        or ftp_profit_cny is distinct from coalesce(deposit_profit_cny, loan_profit_cny)
)

select * from final
