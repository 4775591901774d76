{#- Fails with one row per combination of the given columns that occurs more than once
    (a composite primary key). Restrict it with `config: {where: ...}` to keep its cost flat. -#}
{% test unique_combination(model, combination_of_columns) %}

with

keyed_rows as (
    select {{ combination_of_columns | join(', ') }}
    from {{ model }}
),

duplicates as (
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as occurrences
    from keyed_rows
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
)

select * from duplicates

{% endtest %}
