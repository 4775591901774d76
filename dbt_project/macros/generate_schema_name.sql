{#- Schema names are exactly the configured ones (staging, intermediate, marts), not
    dbt's default <target_schema>_<custom_schema>: analysts and the loaders rely on them. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
