{#- Pre-hooks of the window-driven incremental models (tag `daily`). They render to nothing
    on a first build, a --full-refresh, at parse time and in unit tests. -#}

{% macro assert_window_is_latest(date_column, same_year_only=false) -%}
    {#- Refuse to rerun a window older than what the table already holds: the later days were
        computed from this window's results (running sums, open versions) and would be left
        inconsistent. Rerun from the old date through the last processed date in one go. -#}
    {%- if execute and is_incremental() and window_bound('max_date') is not none -%}
        {%- set upper = window_bound('max_date') -%}
        {%- set lower = window_bound('min_date') or upper -%}
        {%- set check_sql -%}
            select max({{ date_column }}) as latest_date
            from {{ this }}
            where {{ date_column }} > '{{ upper }}'::date
            {%- if same_year_only %}
                and {{ date_column }} <= {{ period_end("'" ~ upper ~ "'::date", 'year') }}
            {%- endif %}
        {%- endset -%}
        {%- set latest = run_query(check_sql).rows[0][0] -%}
        {%- if latest is not none -%}
            {{ exceptions.raise_compiler_error(
                this ~ " already holds " ~ date_column ~ " up to " ~ latest
                ~ ", after this run's max_date " ~ upper ~ ". Those later days were computed from the days"
                ~ " being rerun and would be left inconsistent. Rerun the chain in one invocation:"
                ~ " --vars '{min_date: " ~ lower ~ ", max_date: " ~ latest ~ "}'"
                ~ " (or rebuild with --full-refresh)."
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{% macro assert_window_follows(date_column) -%}
    {#- Refuse a window that leaves a gap after the last processed day: its running sums would
        start from nothing. The day before min_date must be present unless the table is empty
        before the window (the warehouse's history starts there). -#}
    {%- if execute and is_incremental() and window_bound('min_date') is not none -%}
        {%- set lower = window_bound('min_date') -%}
        {%- set check_sql -%}
            select
                exists (
                    select 1 from {{ this }} where {{ date_column }} = '{{ lower }}'::date - 1
                ) as has_previous_day,
                exists (
                    select 1 from {{ this }} where {{ date_column }} < '{{ lower }}'::date - 1
                ) as has_earlier_days
        {%- endset -%}
        {%- set found = run_query(check_sql).rows[0] -%}
        {%- if found[1] and not found[0] -%}
            {{ exceptions.raise_compiler_error(
                this ~ " has no rows for " ~ date_column ~ " = the day before min_date " ~ lower
                ~ " but has earlier days: the window would leave a gap and restart the running sums."
                ~ " Run the missing days first (or include them in the window)."
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{% macro delete_from_window_start(date_column) -%}
    {#- Remove what an earlier run of this window wrote from min_date on, so a rerun replaces it
        (rows a corrected delivery no longer produces disappear too). No min_date: the whole
        table is recomputed from all raw history. -#}
    {%- if execute and is_incremental() -%}
        {%- set lower = window_bound('min_date') -%}
        delete from {{ this }}
        {%- if lower is not none %}
        where {{ date_column }} >= '{{ lower }}'::date
        {%- endif %}
    {%- endif -%}
{%- endmacro %}


{% macro this_or_empty() -%}
    {#- The model's own table on an incremental run; on a first build or a full refresh an empty
        relation with the model's contract columns, so the SQL reading "the rows of the day
        before the window" is the same either way. -#}
    {%- if is_incremental() -%}
        {{ this }}
    {%- else -%}
        {%- set columns = [] -%}
        {%- if execute -%}
            {%- set node = graph.get('nodes', {}).get(model.unique_id) -%}
            {%- set columns = node.columns.values() | list if node else [] -%}
        {%- endif -%}
        {%- if not columns and execute -%}
            {{ exceptions.raise_compiler_error(
                "this_or_empty() needs the contract columns of " ~ model.name ~ " (declare them in its YAML)"
            ) }}
        {%- endif -%}
        (
            select
                {%- for column in columns %}
                null::{{ column.data_type }} as {{ column.name }}{{ ',' if not loop.last }}
                {%- endfor %}
            where false
        ) as empty_rows
    {%- endif -%}
{%- endmacro %}


{% macro carried_running_sum(carried, column, added, period) -%}
    {#- A one-day window's running sum over `period` ('month', 'quarter', 'year'): the `carried` row's
        `column` (the day before's sum) when that day is of the same period as the window's day, plus
        `added`, the day's amount; what sum_unless_null's window sum gives for that day, null as soon as
        either is (a carried null stays null to the period's end). Null `carried` (no row the day
        before) counts from 0. -#}
    case
        when
            {{ period_start(carried ~ '.biz_date', period) }}
            = {{ period_start(window_start('null::date'), period) }}
            then {{ carried }}.{{ column }}
        else 0
    end
    + {{ added }}
{%- endmacro %}


{% macro sum_unless_null(expression, window_name) -%}
    {#- A window sum that is null as soon as one of its terms is null (plain sum() skips nulls:
        a day without an FX rate would silently count 0). -#}
    case
        when count(*) over {{ window_name }} = count({{ expression }}) over {{ window_name }}
            then sum({{ expression }}) over {{ window_name }}
    end
{%- endmacro %}
