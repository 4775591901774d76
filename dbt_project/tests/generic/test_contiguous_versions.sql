{#- Effective-dated rows of one key must tile time: each version ends the day before the next
    starts, never before it starts, and only the last one may be open (valid_to null); with
    last_is_open the last one must be open. Fails with one row per version that breaks this. -#}
{% test contiguous_versions(model, key_columns, valid_from='valid_from', valid_to='valid_to', last_is_open=false) %}

with

versions as (
    select
        {{ key_columns | join(', ') }},
        {{ valid_from }} as valid_from,
        {{ valid_to }} as valid_to,
        lead({{ valid_from }}) over (
            partition by {{ key_columns | join(', ') }} order by {{ valid_from }}
        ) as next_valid_from
    from {{ model }}
),

broken as (
    select *
    from versions
    where
        valid_to < valid_from
        {%- if last_is_open %}
        or (next_valid_from is null and valid_to is not null)
        {%- endif %}
        or (next_valid_from is not null and valid_to is null)
        or (next_valid_from is not null and next_valid_from <> valid_to + 1)
)

select * from broken

{% endtest %}
