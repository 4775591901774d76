{#- Money and interest formulas: each written once, used everywhere it applies. -#}

{% macro to_cny(amount, cny_rate) -%}
    round(({{ amount }}) * ({{ cny_rate }}), 2)
{%- endmacro %}


{% macro daily_rate(annual_rate_pct, day_basis) -%}
    (({{ annual_rate_pct }}) / 100.0 / nullif({{ day_basis }}, 0))
{%- endmacro %}
