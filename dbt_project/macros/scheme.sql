{% macro scheme_versions(imports, defaults, key_columns, value_columns) -%}
    {#- Effective-dated versions of a scheme input (issue 16): the shipped seed is the starting
        version, every imported set (control.<kind>_current) a later one. A version is a set key's
        rows of one effective_date; it is in force from that date until the day before the key's
        next version (or the seed row's own valid_to, if earlier); an import wins over a seed
        version of the same key and date. Both CTEs give key_columns, effective_date, own_valid_to
        (null: open) and value_columns. Returns the rows with valid_from, valid_to, version_source
        (CONTROL or SEED). -#}
    {%- set keys = key_columns | join(', ') %}
    {%- set partition = ('partition by ' ~ keys) if key_columns else '' %}
    candidate_rows as (
        select
            {%- for column in key_columns %}
            {{ column }},
            {%- endfor %}
            effective_date,
            own_valid_to,
            {%- for column in value_columns %}
            {{ column }},
            {%- endfor %}
            'CONTROL' as version_source,
            1 as source_rank
        from {{ imports }}
        union all
        select
            {%- for column in key_columns %}
            {{ column }},
            {%- endfor %}
            effective_date,
            own_valid_to,
            {%- for column in value_columns %}
            {{ column }},
            {%- endfor %}
            'SEED' as version_source,
            2 as source_rank
        from {{ defaults }}
    ),

    chosen_versions as (
        -- one version per key and date: an import before the seed
        select
            {%- for column in key_columns %}
            {{ column }},
            {%- endfor %}
            effective_date,
            min(source_rank) as source_rank
        from candidate_rows
        group by {% for column in key_columns %}{{ column }}, {% endfor %}effective_date
    ),

    version_spans as (
        select
            chosen_versions.*,
            lead(effective_date) over ({{ partition }} order by effective_date) - 1 as next_version_eve
        from chosen_versions
    ),

    versioned_rows as (
        select
            {%- for column in key_columns %}
            candidate_rows.{{ column }},
            {%- endfor %}
            {%- for column in value_columns %}
            candidate_rows.{{ column }},
            {%- endfor %}
            candidate_rows.effective_date as valid_from,
            -- least() ignores nulls: open unless a next version or the seed row's own end closes it
            least(version_spans.next_version_eve, candidate_rows.own_valid_to) as valid_to,
            candidate_rows.version_source
        from candidate_rows
        inner join version_spans
            on
                {%- for column in key_columns %}
                candidate_rows.{{ column }} = version_spans.{{ column }} and
                {%- endfor %}
                candidate_rows.effective_date = version_spans.effective_date
                and candidate_rows.source_rank = version_spans.source_rank
    )
{%- endmacro %}
