{#- Conversions the staging models apply to raw columns (and nothing more). -#}

{% macro clean_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}


{% macro open_ended(column) -%}
    nullif({{ column }}, '9999-12-31'::date)
{%- endmacro %}
