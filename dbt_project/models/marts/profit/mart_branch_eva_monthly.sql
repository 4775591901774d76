{{ config(materialized='view', tags=['daily']) }}

with

unit_evas as (
    select * from {{ ref('mart_eva_monthly') }}
),

finance_terms as (
    select * from {{ ref('stg_control__eva_finance_terms') }}
),

profit_adjustments as (
    select * from {{ ref('stg_control__profit_adjustments') }}
    where subject_type = 'ORG'
),

institutions as (
    select * from {{ ref('dim_institution') }}
),

institution_ancestors as (
    select * from {{ ref('bridge_institution_ancestor') }}
),

unit_rollups as (
    -- every sub-branch's and corporate department's EVA to each branch (and the head office) above it,
    -- by the attribution tree as it stood on the month's last built day
    select
        unit_evas.month_start,
        institution_ancestors.ancestor_org_id as org_id,
        max(unit_evas.through_date) as through_date,
        count(*) as unit_count,
        sum(unit_evas.eva_cny) as units_eva_cny
    from unit_evas
    inner join institution_ancestors
        on
            unit_evas.org_id = institution_ancestors.org_id
            and unit_evas.org_id <> institution_ancestors.ancestor_org_id
            and coalesce(unit_evas.through_date, {{ period_end('unit_evas.month_start', 'month') }})
            between institution_ancestors.valid_from and coalesce(institution_ancestors.valid_to, 'infinity'::date)
    group by unit_evas.month_start, institution_ancestors.ancestor_org_id
),

own_adjustments as (
    select
        month_start,
        subject_id as org_id,
        sum(amount_cny) as manual_adjustment_cny
    from profit_adjustments
    group by month_start, subject_id
),

branch_months as (
    -- branches and the head office with a unit below them that month
    select distinct on (unit_rollups.month_start, unit_rollups.org_id)
        unit_rollups.*,
        institutions.org_type
    from unit_rollups
    inner join institutions
        on
            unit_rollups.org_id = institutions.org_id
            and institutions.valid_from <= {{ period_end('unit_rollups.month_start', 'month') }}
            and coalesce(institutions.valid_to, 'infinity'::date) >= unit_rollups.month_start
    where institutions.org_type in ('BR', 'HO')
    order by unit_rollups.month_start asc, unit_rollups.org_id asc, institutions.valid_from desc
),

branch_terms as (
    select
        branch_months.*,
        coalesce(finance_terms.report_profit, 0) as own_report_profit,
        coalesce(finance_terms.receivable_interest_decrease, 0) as own_receivable_interest_decrease,
        coalesce(finance_terms.new_suspense_advances, 0) as own_new_suspense_advances,
        coalesce(finance_terms.internal_interest_income, 0) - coalesce(finance_terms.internal_interest_expense, 0)
            as own_internal_interest_net,
        coalesce(finance_terms.actual_expenses, 0) as own_actual_expenses,
        coalesce(finance_terms.special_provisions, 0) as own_special_provisions,
        coalesce(finance_terms.regulatory_fee, 0) as own_regulatory_fee,
        coalesce(finance_terms.other_adjustments, 0) as own_other_adjustments,
        coalesce(own_adjustments.manual_adjustment_cny, 0) as own_manual_adjustment_cny
    from branch_months
    left join finance_terms
        on
            branch_months.month_start = finance_terms.month_start
            and branch_months.org_id = finance_terms.org_id
    left join own_adjustments
        on
            branch_months.month_start = own_adjustments.month_start
            and branch_months.org_id = own_adjustments.org_id
),

branch_evas as (
    select
        *,
        own_report_profit + own_receivable_interest_decrease - own_new_suspense_advances
        - own_internal_interest_net - own_actual_expenses - own_special_provisions - own_regulatory_fee
        + own_other_adjustments + own_manual_adjustment_cny as own_terms_cny
    from branch_terms
),

final as (
    select
        -- key
        month_start::date as month_start,
        org_id::text as org_id,
        -- which institution
        org_type::text as org_type,
        through_date::date as through_date,
        unit_count::integer as unit_count,
        -- the units' EVA (each by its own formula, mart_eva_monthly)
        units_eva_cny::numeric(24, 2) as units_eva_cny,
        -- the branch's own terms (finance terms imported for the branch itself, manual adjustments)
        own_report_profit::numeric(20, 2) as own_report_profit,
        own_receivable_interest_decrease::numeric(20, 2) as own_receivable_interest_decrease,
        own_new_suspense_advances::numeric(20, 2) as own_new_suspense_advances,
        own_internal_interest_net::numeric(20, 2) as own_internal_interest_net,
        own_actual_expenses::numeric(20, 2) as own_actual_expenses,
        own_special_provisions::numeric(20, 2) as own_special_provisions,
        own_regulatory_fee::numeric(20, 2) as own_regulatory_fee,
        own_other_adjustments::numeric(20, 2) as own_other_adjustments,
        own_manual_adjustment_cny::numeric(20, 2) as own_manual_adjustment_cny,
        own_terms_cny::numeric(24, 2) as own_terms_cny,
        (units_eva_cny + own_terms_cny)::numeric(24, 2) as eva_cny
    from branch_evas
)

select * from final
