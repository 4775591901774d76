{#- Statistical periods (rules.md, "Days, periods, currencies"): month, quarter and year,
    each from its first calendar day through the statistics date. -#}

{% macro _check_period(period) -%}
    {%- if period not in ('month', 'quarter', 'year') -%}
        {{ exceptions.raise_compiler_error(
            "period must be 'month', 'quarter' or 'year', got '" ~ period ~ "'"
        ) }}
    {%- endif -%}
{%- endmacro %}


{% macro period_start(date_expr, period) -%}
    {{- _check_period(period) -}}
    date_trunc('{{ period }}', {{ date_expr }})::date
{%- endmacro %}


{% macro period_end(date_expr, period) -%}
    {{- _check_period(period) -}}
    {%- set length = {'month': '1 month', 'quarter': '3 months', 'year': '1 year'}[period] -%}
    (date_trunc('{{ period }}', {{ date_expr }}) + interval '{{ length }}' - interval '1 day')::date
{%- endmacro %}


{% macro days_elapsed(date_expr, period) -%}
    (({{ date_expr }}) - {{ period_start(date_expr, period) }} + 1)
{%- endmacro %}
