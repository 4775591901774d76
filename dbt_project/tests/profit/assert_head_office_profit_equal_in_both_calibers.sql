-- rules.md, Calibers: the head office's additive figures are equal in both calibers, every day.
-- The head office is the institution without a parent that day. Checks the window's dates; fails
-- with each date and measure where the two calibers differ.
{%- set measures = [
    'deposit_profit_cny', 'loan_profit_cny', 'fee_income_cny', 'fee_unassessed_cny', 'intl_settlement_cny',
    'transfer_income_cny', 'transfer_expense_cny', 'economic_capital_cost_cny', 'loan_int_income_cny',
] %}
{%- set differences = [] %}
{%- for measure in measures %}
    {%- for column in [measure, measure ~ '_m', measure ~ '_y'] %}
        {%- do differences.append(
            "sum(" ~ column ~ ") filter (where caliber = 'ASSESSMENT') is distinct from sum("
            ~ column ~ ") filter (where caliber = 'ACCOUNTING')"
        ) %}
    {%- endfor %}
{%- endfor %}

with

subject_days as (
    select * from {{ ref('mart_subject_profit_daily') }}
    where {{ window_filter('biz_date') }}
),

institutions as (
    select * from {{ ref('dim_institution') }}
),

head_office_days as (
    select subject_days.*
    from subject_days
    inner join institutions
        on
            subject_days.subject_id = institutions.org_id
            and subject_days.biz_date >= institutions.valid_from
            and subject_days.biz_date <= coalesce(institutions.valid_to, 'infinity'::date)
    where
        subject_days.subject_type = 'ORG'
        and institutions.parent_org_id is null
),

final as (
    select
        biz_date,
        subject_id
    from head_office_days
    group by biz_date, subject_id
    having {{ differences | join('\n        or ') }}
)

select * from final
