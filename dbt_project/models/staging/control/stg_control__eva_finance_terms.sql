with

source as (
    select * from {{ source('control', 'eva_finance_terms_current') }}
),

final as (
    select
        -- ids
        org_id,
        version_id,
        batch_id,
        -- amounts (month totals, CNY; missing terms count 0)
        coalesce(report_profit, 0) as report_profit,
        coalesce(receivable_interest_decrease, 0) as receivable_interest_decrease,
        coalesce(new_suspense_advances, 0) as new_suspense_advances,
        coalesce(internal_interest_income, 0) as internal_interest_income,
        coalesce(internal_interest_expense, 0) as internal_interest_expense,
        coalesce(actual_expenses, 0) as actual_expenses,
        coalesce(special_provisions, 0) as special_provisions,
        coalesce(regulatory_fee, 0) as regulatory_fee,
        coalesce(interbank_deposit_interest_income, 0) as interbank_deposit_interest_income,
        coalesce(interbank_lending_interest_income, 0) as interbank_lending_interest_income,
        coalesce(discount_holding_interest_income, 0) as discount_holding_interest_income,
        coalesce(interbank_deposit_interest_expense, 0) as interbank_deposit_interest_expense,
        coalesce(split_interest_income, 0) as split_interest_income,
        coalesce(split_fee_income, 0) as split_fee_income,
        coalesce(split_business_tax, 0) as split_business_tax,
        coalesce(split_deposit_interest_expense, 0) as split_deposit_interest_expense,
        coalesce(other_adjustments, 0) as other_adjustments,
        -- dates
        month as month_start
    from source
)

select * from final
