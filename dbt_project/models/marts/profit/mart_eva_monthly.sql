{{ config(materialized='view') }}

with

owner_months as (
    select * from {{ ref('mart_profit_owner_monthly') }}
),

finance_terms as (
    select * from {{ ref('stg_control__eva_finance_terms') }}
),

institutions as (
    select * from {{ ref('dim_institution') }}
),

institution_ancestors as (
    select * from {{ ref('bridge_institution_ancestor') }}
),

profit_adjustments as (
    -- manual profit adjustments of institutions (spec 2.3(5); management input profit_adjustment)
    select * from {{ ref('stg_control__profit_adjustments') }}
    where subject_type = 'ORG'
),

eva_parameters as (
    -- the seed's 90 %, or an imported eva_parameter from its month on
    select * from {{ ref('int_eva_parameters_versioned') }}
),

months as (
    select distinct month_start from owner_months
    union
    select distinct month_start from finance_terms
    union
    select distinct month_start from profit_adjustments
),

institution_adjustments as (
    select
        month_start,
        subject_id as org_id,
        sum(amount_cny) as manual_adjustment_cny
    from profit_adjustments
    group by month_start, subject_id
),

month_institutions as (
    -- each institution's version at the end of the month (or its last one within the month)
    select distinct on (months.month_start, institutions.org_id)
        months.month_start,
        institutions.org_id,
        institutions.org_type
    from months
    inner join institutions
        on
            institutions.valid_from <= {{ period_end('months.month_start', 'month') }}
            and coalesce(institutions.valid_to, 'infinity'::date) >= months.month_start
    order by months.month_start asc, institutions.org_id asc, institutions.valid_from desc
),

owner_months_typed as (
    select
        owner_months.*,
        owner_months.emp_id ~ '^V[0-9]+$' as is_virtual_owner,
        owner_institutions.org_type as owner_org_type
    from owner_months
    left join month_institutions as owner_institutions
        on
            owner_months.month_start = owner_institutions.month_start
            and owner_months.owner_org_id = owner_institutions.org_id
),

caliber_amounts as (
    -- accounting caliber: through the institution on the record, rolled up the tree; assessment
    -- caliber: through the owner's institution, rolled up the tree (as of the month's last built day)
    select
        owner_months_typed.month_start,
        institution_ancestors.ancestor_org_id as org_id,
        institution_ancestors.org_id = owner_months_typed.record_org_id as is_accounting,
        institution_ancestors.org_id = owner_months_typed.owner_org_id as is_assessment,
        owner_months_typed.is_virtual_owner,
        owner_months_typed.owner_org_type,
        owner_months_typed.through_date,
        owner_months_typed.deposit_profit_cny,
        owner_months_typed.loan_profit_cny,
        owner_months_typed.transfer_income_cny,
        owner_months_typed.transfer_expense_cny,
        owner_months_typed.economic_capital_cost_cny
    from owner_months_typed
    inner join institution_ancestors
        on
            institution_ancestors.org_id in (owner_months_typed.record_org_id, owner_months_typed.owner_org_id)
            and owner_months_typed.through_date >= institution_ancestors.valid_from
            and owner_months_typed.through_date <= coalesce(institution_ancestors.valid_to, 'infinity'::date)
),

warehouse_terms as (
    select
        month_start,
        org_id,
        sum(transfer_income_cny) filter (where is_accounting) as accounting_transfer_income_cny,
        sum(transfer_expense_cny) filter (where is_accounting) as accounting_transfer_expense_cny,
        sum(economic_capital_cost_cny) filter (where is_accounting) as accounting_economic_capital_cost_cny,
        sum(deposit_profit_cny + loan_profit_cny) filter (
            where is_accounting and is_virtual_owner and owner_org_type = 'CD'
        ) as moved_unassigned_profit_cny,
        sum(transfer_income_cny) filter (where is_assessment) as assessment_transfer_income_cny,
        sum(transfer_expense_cny) filter (where is_assessment) as assessment_transfer_expense_cny,
        sum(economic_capital_cost_cny) filter (where is_assessment) as assessment_economic_capital_cost_cny,
        sum(deposit_profit_cny + loan_profit_cny) filter (
            where is_assessment and not is_virtual_owner
        ) as managers_profit_cny,
        max(through_date) as through_date
    from caliber_amounts
    group by month_start, org_id
),

eva_institutions as (
    select
        month_institutions.month_start,
        month_institutions.org_id,
        month_institutions.org_type,
        warehouse_terms.through_date,
        finance_terms.org_id is not null as has_finance_terms,
        coalesce(finance_terms.report_profit, 0) as report_profit,
        coalesce(finance_terms.receivable_interest_decrease, 0) as receivable_interest_decrease,
        coalesce(finance_terms.new_suspense_advances, 0) as new_suspense_advances,
        coalesce(finance_terms.internal_interest_income, 0) as internal_interest_income,
        coalesce(finance_terms.internal_interest_expense, 0) as internal_interest_expense,
        coalesce(finance_terms.actual_expenses, 0) as actual_expenses,
        coalesce(finance_terms.special_provisions, 0) as special_provisions,
        coalesce(finance_terms.regulatory_fee, 0) as regulatory_fee,
        coalesce(finance_terms.interbank_deposit_interest_income, 0) as interbank_deposit_interest_income,
        coalesce(finance_terms.interbank_lending_interest_income, 0) as interbank_lending_interest_income,
        coalesce(finance_terms.discount_holding_interest_income, 0) as discount_holding_interest_income,
        coalesce(finance_terms.interbank_deposit_interest_expense, 0) as interbank_deposit_interest_expense,
        coalesce(finance_terms.split_interest_income, 0) as split_interest_income,
        coalesce(finance_terms.split_fee_income, 0) as split_fee_income,
        coalesce(finance_terms.split_business_tax, 0) as split_business_tax,
        coalesce(finance_terms.split_deposit_interest_expense, 0) as split_deposit_interest_expense,
        coalesce(finance_terms.other_adjustments, 0) as other_adjustments,
        -- a sub-branch's transfer pricing and capital by its books (accounting caliber); a corporate
        -- department books few accounts, so its own by its managers' ownership (assessment caliber)
        coalesce(case month_institutions.org_type
            when 'SB' then warehouse_terms.accounting_transfer_income_cny
            else warehouse_terms.assessment_transfer_income_cny
        end, 0) as transfer_income_cny,
        coalesce(case month_institutions.org_type
            when 'SB' then warehouse_terms.accounting_transfer_expense_cny
            else warehouse_terms.assessment_transfer_expense_cny
        end, 0) as transfer_expense_cny,
        coalesce(case month_institutions.org_type
            when 'SB' then warehouse_terms.accounting_economic_capital_cost_cny
            else warehouse_terms.assessment_economic_capital_cost_cny
        end, 0) as economic_capital_cost_cny,
        case
            when month_institutions.org_type = 'SB' then coalesce(warehouse_terms.moved_unassigned_profit_cny, 0)
            else 0
        end as moved_unassigned_profit_cny,
        coalesce(warehouse_terms.managers_profit_cny, 0) as managers_profit_cny,
        coalesce(institution_adjustments.manual_adjustment_cny, 0) as manual_adjustment_cny
    from month_institutions
    left join warehouse_terms
        on
            month_institutions.month_start = warehouse_terms.month_start
            and month_institutions.org_id = warehouse_terms.org_id
    left join finance_terms
        on
            month_institutions.month_start = finance_terms.month_start
            and month_institutions.org_id = finance_terms.org_id
    left join institution_adjustments
        on
            month_institutions.month_start = institution_adjustments.month_start
            and month_institutions.org_id = institution_adjustments.org_id
    where month_institutions.org_type in ('SB', 'CD')
),

eva_terms as (
    select
        eva_institutions.*,
        eva_parameters.profit_deduction_pct,
        -- exact like the profit it is taken from; EVA is rounded once, as shown (rules.md, Precision)
        (eva_institutions.moved_unassigned_profit_cny + eva_institutions.managers_profit_cny)
        * eva_parameters.profit_deduction_pct / 100.0 as simulated_profit_deduction_cny
    from eva_institutions
    -- the parameters in force on the month's first day
    inner join eva_parameters
        on
            eva_institutions.month_start >= eva_parameters.valid_from
            and eva_institutions.month_start <= coalesce(eva_parameters.valid_to, 'infinity'::date)
),

final as (
    select
        -- key
        month_start::date as month_start,
        org_id::text as org_id,
        -- which formula
        org_type::text as org_type,
        (case org_type when 'SB' then 'SUB_BRANCH' else 'CORPORATE_DEPARTMENT' end)::text as eva_type,
        through_date::date as through_date,
        has_finance_terms::boolean as has_finance_terms,
        -- terms from finance (month totals, CNY)
        report_profit::numeric(20, 2) as report_profit,
        receivable_interest_decrease::numeric(20, 2) as receivable_interest_decrease,
        new_suspense_advances::numeric(20, 2) as new_suspense_advances,
        internal_interest_income::numeric(20, 2) as internal_interest_income,
        internal_interest_expense::numeric(20, 2) as internal_interest_expense,
        split_interest_income::numeric(20, 2) as split_interest_income,
        split_fee_income::numeric(20, 2) as split_fee_income,
        split_business_tax::numeric(20, 2) as split_business_tax,
        split_deposit_interest_expense::numeric(20, 2) as split_deposit_interest_expense,
        actual_expenses::numeric(20, 2) as actual_expenses,
        special_provisions::numeric(20, 2) as special_provisions,
        regulatory_fee::numeric(20, 2) as regulatory_fee,
        interbank_deposit_interest_income::numeric(20, 2) as interbank_deposit_interest_income,
        interbank_lending_interest_income::numeric(20, 2) as interbank_lending_interest_income,
        discount_holding_interest_income::numeric(20, 2) as discount_holding_interest_income,
        interbank_deposit_interest_expense::numeric(20, 2) as interbank_deposit_interest_expense,
        other_adjustments::numeric(20, 2) as other_adjustments,
        manual_adjustment_cny::numeric(20, 2) as manual_adjustment_cny,
        -- terms from the warehouse's facts (month to date, CNY)
        transfer_income_cny::numeric(24, 2) as transfer_income_cny,
        transfer_expense_cny::numeric(24, 2) as transfer_expense_cny,
        economic_capital_cost_cny::numeric(24, 2) as economic_capital_cost_cny,
        moved_unassigned_profit_cny::numeric(24, 2) as moved_unassigned_profit_cny,
        managers_profit_cny::numeric(24, 2) as managers_profit_cny,
        profit_deduction_pct::numeric(9, 6) as profit_deduction_pct,
        simulated_profit_deduction_cny::numeric(24, 2) as simulated_profit_deduction_cny,
        -- the formula of the requirement document, term by term
        (case org_type
            when 'SB'
                then
                    report_profit + receivable_interest_decrease - new_suspense_advances
                    - (internal_interest_income - internal_interest_expense)
                    + (transfer_income_cny - transfer_expense_cny)
                    - actual_expenses - special_provisions - economic_capital_cost_cny - regulatory_fee
                    - simulated_profit_deduction_cny
                    - interbank_deposit_interest_income - interbank_lending_interest_income
                    - discount_holding_interest_income + interbank_deposit_interest_expense
                    + other_adjustments + manual_adjustment_cny
            else
                split_interest_income + split_fee_income - split_business_tax - split_deposit_interest_expense
                + (transfer_income_cny - transfer_expense_cny)
                - simulated_profit_deduction_cny
                - actual_expenses - special_provisions - economic_capital_cost_cny - regulatory_fee
                + other_adjustments + manual_adjustment_cny
        end)::numeric(24, 2) as eva_cny
    from eva_terms
)

select * from final
