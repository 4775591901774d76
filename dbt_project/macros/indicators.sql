{#- The indicator catalogue's vocabulary (seeds/indicator_catalogue.csv): which base measures
    exist, in which measure mart, and which column holds each period statistic. A new indicator
    of an existing shape is a catalogue row; a new base measure is one entry here. -#}

{% macro indicator_measures() -%}
    {%- set balance = {
        'POINT': 'balance_cny',
        'AVG_M': 'avg_balance_cny_m', 'AVG_Q': 'avg_balance_cny_q', 'AVG_Y': 'avg_balance_cny_y',
        'CUM_M': 'cum_balance_cny_m', 'CUM_Q': 'cum_balance_cny_q', 'CUM_Y': 'cum_balance_cny_y',
    } -%}
    {%- set flows = {
        'DEP_FTP_PROFIT': 'deposit_profit_cny',
        'LOAN_FTP_PROFIT': 'loan_profit_cny',
        'FEE_INCOME': 'fee_income_cny',
        'INTL_SETTLE': 'intl_settlement_cny',
        'LOAN_INT_INCOME': 'loan_int_income_cny',
    } -%}
    {%- set measures = {'BALANCE': {'source': 'balances', 'statistics': balance}} -%}
    {%- for measure, column in flows.items() -%}
        {%- do measures.update({measure: {'source': 'profits', 'statistics': {
            'DAY': column, 'PTD_M': column ~ '_m', 'PTD_Y': column ~ '_y'}}}) -%}
    {%- endfor -%}
    {%- do measures.update({
        'CARD_EFFECTIVE_NEW': {'source': 'profits', 'statistics': {
            'PTD_M': 'effective_new_m_count', 'PTD_Y': 'effective_new_y_count'}},
        'CARD_ISSUED': {'source': 'profits', 'statistics': {'PTD_M': 'issued_m_count', 'PTD_Y': 'issued_y_count'}},
    }) -%}
    {#- Further point figures of mart_subject_measures_daily (issue 16): card, pledged, mortgaged,
        key-customer and no-credit-customer deposits, counts shown and not paid. -#}
    {%- set subject_measures = {
        'CARD_DEPOSIT': 'card_deposit_balance_cny',
        'PLEDGED_DEPOSIT': 'pledged_deposit_balance_cny',
        'MORTGAGED_DEPOSIT': 'mortgaged_deposit_balance_cny',
        'KEY_CUSTOMER_DEPOSIT': 'key_customer_deposit_balance_cny',
        'KEY_CUSTOMER_LOAN': 'key_customer_loan_balance_cny',
        'NO_CREDIT_DEPOSIT_M': 'no_credit_deposit_balance_cny_m',
        'NO_CREDIT_DEPOSIT_Y': 'no_credit_deposit_balance_cny_y',
        'OUT_OF_TERRITORY_DEPOSIT': 'out_of_territory_deposit_balance_cny',
        'OUT_OF_TERRITORY_LOAN': 'out_of_territory_loan_balance_cny',
        'REFERRED_DEPOSIT': 'referred_deposit_balance_cny',
        'REFERRED_LOAN': 'referred_loan_balance_cny',
        'CUSTOMER_COUNT': 'customer_count',
        'DEP_ACCOUNT_COUNT': 'deposit_account_count',
        'LOAN_ACCOUNT_COUNT': 'loan_account_count',
    } -%}
    {%- for measure, column in subject_measures.items() -%}
        {%- do measures.update({measure: {'source': 'measures', 'statistics': {'POINT': column}}}) -%}
    {%- endfor -%}
    {%- do measures.update({'TRANSACTION_COUNT': {'source': 'measures', 'statistics': {'DAY': 'transaction_count'}}}) -%}
    {#- Month statements (monthly inputs: finance terms, manager costs, rediscount income), evaluated
        per month on its last built day by fct_indicator_value_monthly: the model, its subject
        column and type (institution types for ORG), and the amount column. -#}
    {%- set month_statements = {
        'EVA': {'relation': 'mart_eva_monthly', 'subject_type': 'ORG', 'subject_column': 'org_id',
                'subject_kinds': ['SB', 'CD'], 'column': 'eva_cny'},
        'BRANCH_EVA': {'relation': 'mart_branch_eva_monthly', 'subject_type': 'ORG', 'subject_column': 'org_id',
                       'subject_kinds': ['BR', 'HO'], 'column': 'eva_cny'},
        'EMPLOYEE_PROFIT': {'relation': 'mart_employee_profit_monthly', 'subject_type': 'EMP',
                            'subject_column': 'emp_id', 'column': 'employee_profit_cny'},
        'EMPLOYEE_GROSS_PROFIT': {'relation': 'mart_employee_profit_monthly', 'subject_type': 'EMP',
                                  'subject_column': 'emp_id', 'column': 'gross_profit_cny'},
        'DISCOUNT_PROFIT': {'relation': 'mart_employee_profit_monthly', 'subject_type': 'EMP',
                            'subject_column': 'emp_id', 'column': 'discount_profit_cny'},
    } -%}
    {%- for measure, spec in month_statements.items() -%}
        {%- do spec.update({'source': 'monthly', 'statistics': {'PTD_M': 'month_amount', 'PTD_Y': 'year_amount'}}) -%}
        {%- do measures.update({measure: spec}) -%}
    {%- endfor -%}
    {{- return(measures) -}}
{%- endmacro %}


{% macro daily_measures() -%}
    {#- The measures evaluated every day by fct_indicator_value_daily (all but the month statements),
        as a SQL list of strings. -#}
    ({%- for measure, spec in indicator_measures().items() if spec.source != 'monthly' -%}
        '{{ measure }}'{{ ', ' if not loop.last }}
    {%- endfor -%})
{%- endmacro %}


{% macro measures_of(source) -%}
    {#- The base measures of one measure mart ('balances', 'profits', 'measures'), as a SQL list. -#}
    ({%- for measure, spec in indicator_measures().items() if spec.source == source -%}
        '{{ measure }}'{{ ', ' if not loop.last }}
    {%- endfor -%})
{%- endmacro %}


{% macro indicator_statistic(source, catalogue, relation) -%}
    {#- The catalogue row's statistic read from a row of one measure mart (null when the
        measure is not in that mart). -#}
    case
        {%- for measure, spec in indicator_measures().items() if spec.source == source %}
            {%- for statistic, column in spec.statistics.items() %}
                when {{ catalogue }}.measure = '{{ measure }}' and {{ catalogue }}.statistic = '{{ statistic }}'
                    then {{ relation }}.{{ column }}
            {%- endfor %}
        {%- endfor %}
    end
{%- endmacro %}


{% macro indicator_base_date(date_expr, increment_over) -%}
    {#- The date an increment indicator compares with: the previous year-end or month-end. -#}
    case {{ increment_over }}
        when 'PREV_YEAR_END' then ({{ period_start(date_expr, 'year') }} - 1)
        when 'PREV_MONTH_END' then ({{ period_start(date_expr, 'month') }} - 1)
    end
{%- endmacro %}


{% macro list_matches(list_column, value) -%}
    {#- A catalogue filter: empty matches everything, else a space-separated list of values. -#}
    ({{ list_column }} is null or {{ value }} = any(string_to_array({{ list_column }}, ' ')))
{%- endmacro %}


{% macro plan_period_grain(period) -%}
    {#- Plan periods (rules.md, Plans): 2026 a year, 2026Q1 a quarter, 2026-03 a month. -#}
    case
        when {{ period }} ~ '^\d{4}$' then 'YEAR'
        when {{ period }} ~ '^\d{4}Q[1-4]$' then 'QUARTER'
        when {{ period }} ~ '^\d{4}-(0[1-9]|1[0-2])$' then 'MONTH'
    end
{%- endmacro %}


{% macro plan_period_start(period) -%}
    case {{ plan_period_grain(period) }}
        when 'YEAR' then make_date(left({{ period }}, 4)::integer, 1, 1)
        when 'QUARTER' then make_date(left({{ period }}, 4)::integer, right({{ period }}, 1)::integer * 3 - 2, 1)
        when 'MONTH' then make_date(left({{ period }}, 4)::integer, right({{ period }}, 2)::integer, 1)
    end
{%- endmacro %}


{% macro plan_period_end(period) -%}
    case {{ plan_period_grain(period) }}
        when 'YEAR' then {{ period_end(plan_period_start(period), 'year') }}
        when 'QUARTER' then {{ period_end(plan_period_start(period), 'quarter') }}
        when 'MONTH' then {{ period_end(plan_period_start(period), 'month') }}
    end
{%- endmacro %}


{% macro plan_period_columns(period, bounds=true) -%}
    {#- A management input's period and what it derives (grain, and with bounds its first and last
        day), the same in every staging model of a periodic input. -#}
    {{ period }},
    {{ plan_period_grain(period) }} as period_grain
    {%- if bounds %},
    {{ plan_period_start(period) }} as period_start,
    {{ plan_period_end(period) }} as period_end
    {%- endif %}
{%- endmacro %}


{% macro completion_pct(actual, plan, direction) -%}
    {#- Completion % (rules.md, Plans: value / plan x 100), made safe for negative plans: measured
        from the plan by the plan's size, 100 x (1 + (actual - plan) / |plan|). For a positive
        plan this is exactly actual / plan x 100; for a negative one it stays 100 at the plan and
        rises as the actual improves. LOWER indicators (NPL: control targets) mirror it:
        100 x (1 + (plan - actual) / |plan|). Empty without a plan or with a plan of 0. -#}
    case
        when {{ plan }} is null or {{ plan }} = 0 or {{ actual }} is null then null
        when {{ direction }} = 'LOWER'
            then round(100 * (1 + ({{ plan }} - {{ actual }}) / abs({{ plan }})), 4)
        else round(100 * (1 + ({{ actual }} - {{ plan }}) / abs({{ plan }})), 4)
    end
{%- endmacro %}
