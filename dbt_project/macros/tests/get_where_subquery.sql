{#- Tests on window-driven tables check only the run's window, so their cost does not grow
    with history: in a test's `where` config, the placeholder __window__ becomes the window
    predicate on biz_date (`true` when no window is set). Otherwise as dbt's own. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- set where = where | replace('__window__', window_filter('biz_date')) -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) as dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
