{#- Money and interest formulas: each written once, used everywhere it applies. -#}

{% macro to_cny(amount, cny_rate) -%}
    round(({{ amount }}) * ({{ cny_rate }}), 2)
{%- endmacro %}


{% macro daily_rate(annual_rate_pct, day_basis) -%}
    (({{ annual_rate_pct }}) / 100.0 / nullif({{ day_basis }}, 0))
{%- endmacro %}


{% macro exact_money_scale() -%}
    {#- Decimals of daily interest and profit amounts and their sums (rules.md, Precision). -#}
    10
{%- endmacro %}


{% macro exact_money() -%}
    {#- The type of daily interest and profit amounts, their shares and period sums. -#}
    numeric(30, {{ exact_money_scale() }})
{%- endmacro %}


{% macro shown_money(amount) -%}
    {#- A figure shown to a user (indicator value, report cell, export): rounded to the fen. -#}
    round(({{ amount }}), 2)
{%- endmacro %}


{% macro day_amount_cny(amount, cny_rate, is_present) -%}
    {#- An account-day's amount in CNY, from the amount and rate int_account_days_accumulated keeps:
        at the day's rate when the account is in the snapshot, else the carried day's amount as it
        is (0, or null for an amount the account type does not have). -#}
    (case when {{ is_present }} then {{ to_cny(amount, cny_rate) }} else {{ amount }} end)
{%- endmacro %}
