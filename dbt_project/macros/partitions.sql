{#- Monthly native partitions for the big daily facts (PostgreSQL declarative partitioning by range
    of the business date). A model opts in with `partition_by='biz_date'` in its config and one of
    the incremental strategies below; dbt's incremental materialization does the rest:

    - the first build creates the table partitioned (`postgres__create_table_as`, overridden here
      for such models only) with one partition per month its rows fall in;
    - every incremental run creates the partitions its new rows need before it writes them
      (`partitioned_delete_insert`, `partitioned_append`).

    A partition is `<table>_pYYYYMM` (after a `--full-refresh`, `<table>__dbt_tmp_pYYYYMM` for the
    months that build wrote: dbt builds the new table beside the old one and renames it; a month
    that has a partition under either name gets no other). A closed
    year is detached and archived as README "Scale" describes. -#}

{% macro partition_name(relation, month_start) -%}
    {{- relation.identifier ~ '_p' ~ month_start.strftime('%Y%m') -}}
{%- endmacro %}


{% macro create_month_partitions_sql(relation, rows_relation, partition_column) -%}
    {#- A statement creating the partitions of `relation` missing for the months of
        `rows_relation`'s `partition_column` (the rows about to be written). -#}
    do $create_month_partitions$
    declare
        month_start date;
    begin
        for month_start in
            select distinct date_trunc('month', {{ partition_column }})::date
            from {{ rows_relation }}
            where {{ partition_column }} is not null
        loop
            -- a month is skipped when a partition of its range exists, whatever its name (one made
            -- by a --full-refresh is named after dbt's intermediate table)
            continue when exists (
                select 1
                from pg_inherits
                inner join pg_class as partitions on pg_inherits.inhrelid = partitions.oid
                where
                    pg_inherits.inhparent = '{{ relation }}'::regclass
                    and pg_get_expr(partitions.relpartbound, partitions.oid) = format(
                        'FOR VALUES FROM (%L) TO (%L)', month_start, (month_start + interval '1 month')::date
                    )
            );
            execute format(
                'create table %I.%I partition of %I.%I for values from (%L) to (%L)',
                '{{ relation.schema }}',
                '{{ relation.identifier }}_p' || to_char(month_start, 'YYYYMM'),
                '{{ relation.schema }}',
                '{{ relation.identifier }}',
                month_start,
                (month_start + interval '1 month')::date
            );
        end loop;
    end
    $create_month_partitions$;
{%- endmacro %}


{% macro postgres__create_table_as(temporary, relation, sql) -%}
    {#- dbt-postgres's table creation, except for a model with `partition_by`: then the table is
        created partitioned by range of that column, with the partitions its rows need. -#}
    {%- set partition_column = config.get('partition_by') -%}
    {%- if temporary or partition_column is none -%}
        {{ dbt.postgres__create_table_as(temporary, relation, sql) }}
    {%- else -%}
        {%- set contract_config = config.get('contract') -%}
        {%- set rows_relation = adapter.quote(relation.identifier ~ '__rows') -%}
        {%- if contract_config.enforced -%}
            {{ get_assert_columns_equivalent(sql) }}
        {%- endif %}
        create temporary table {{ rows_relation }} as (
            {{ sql }}
        );
        create table {{ relation }}
        {%- if contract_config.enforced %}
            {{ get_table_columns_and_constraints() }}
        {%- else %}
            (like {{ rows_relation }})
        {%- endif %}
        partition by range ({{ partition_column }});
        {{ create_month_partitions_sql(relation, rows_relation, partition_column) }}
        {%- if contract_config.enforced %}
            {%- set column_names = adapter.dispatch('get_column_names', 'dbt')() %}
        insert into {{ relation }} ({{ column_names }})
        select {{ column_names }} from {{ rows_relation }};
        {%- else %}
        insert into {{ relation }} select * from {{ rows_relation }};
        {%- endif %}
        drop table {{ rows_relation }}
    {%- endif -%}
{%- endmacro %}


{% macro get_incremental_partitioned_delete_insert_sql(arg_dict) -%}
    {#- delete+insert into a table partitioned by month, creating the new rows' months first. -#}
    {{ create_month_partitions_sql(arg_dict['target_relation'], arg_dict['temp_relation'], config.require('partition_by')) }}
    {{ get_incremental_delete_insert_sql(arg_dict) }}
{%- endmacro %}


{% macro get_incremental_partitioned_append_sql(arg_dict) -%}
    {#- append into a table partitioned by month, creating the new rows' months first. -#}
    {{ create_month_partitions_sql(arg_dict['target_relation'], arg_dict['temp_relation'], config.require('partition_by')) }}
    {{ get_incremental_append_sql(arg_dict) }}
{%- endmacro %}



{% macro analyze_partitioned(closed_statistics_target=10) -%}
    {#- The post-hook of the partitioned daily facts: `analyze` of the whole table, so the parent's
        statistics (what the planner estimates joins and period reads with) know the new days, with
        the partitions of the months before the window's sampled at a lower statistics target. An
        `analyze` of a partitioned table also analyzes every partition (PostgreSQL 15 has no
        `analyze only`): at the default target each closed month would be sampled again every night
        at 30,000 rows, a cost that grows with history; at `closed_statistics_target` it is a tenth.
        The window's months keep the default. -#}
    {%- set lower = window_bound('min_date') -%}
    {%- if lower is not none %}
    do $closed_partitions_statistics$
    declare
        partition_oid oid;
    begin
        for partition_oid in
            select partitions.oid
            from pg_inherits
            inner join pg_class as partitions on pg_inherits.inhrelid = partitions.oid
            where
                pg_inherits.inhparent = '{{ this }}'::regclass
                and substring(pg_get_expr(partitions.relpartbound, partitions.oid) from 'TO \(''([0-9-]+)''\)')::date
                <= date_trunc('month', '{{ lower }}'::date)
                -- only what this login may alter (it owns what it builds; a partition made by another
                -- login, say a superuser's first build, keeps its target)
                and pg_has_role(partitions.relowner, 'USAGE')
                and exists (
                    select 1 from pg_attribute
                    where
                        attrelid = partitions.oid and attnum > 0 and not attisdropped
                        and attstattarget <> {{ closed_statistics_target }}
                )
        loop
            execute (
                select format('alter table %s ', partition_oid::regclass) || string_agg(
                    format('alter column %I set statistics {{ closed_statistics_target }}', attname), ', '
                )
                from pg_attribute
                where attrelid = partition_oid and attnum > 0 and not attisdropped
            );
        end loop;
    end
    $closed_partitions_statistics$;
    {%- endif %}
    analyze {{ this }}
{%- endmacro %}
