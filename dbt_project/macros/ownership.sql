{#- Hooks and shared expressions of the ownership build (rules.md, Ownership). -#}

{% macro virtual_manager_id(org_id) -%}
    {#- The virtual manager (公共客户经理) of an institution: `V<org_id>`. -#}
    'V' || {{ org_id }}
{%- endmacro %}


{% macro delete_restated_days(restatements, date_column='biz_date') -%}
    {#- Remove what an earlier run wrote for the window's days and for the restated accounts from
        their restatement date on, so this run's rows replace them. -#}
    {%- if execute and is_incremental() -%}
        delete from {{ this }} as target
        where {{ window_filter('target.' ~ date_column) }};
        delete from {{ this }} as target
        using {{ restatements }} as restated
        where
            restated.is_restated
            and target.acct_type = restated.acct_type
            and target.acct_no = restated.acct_no
            and target.sub_acct_no = restated.sub_acct_no
            and target.{{ date_column }} >= restated.from_date
    {%- endif -%}
{%- endmacro %}


{% macro first_rebuilt_date() -%}
    {#- The first business date an aggregate over owners must rebuild (ISO text, none without a
        window): the window's first day, or the earliest day a restatement changed, read from
        int_ownership_restatements when the model runs (that table is built before every model
        that calls this). -#}
    {%- set lower = window_bound('min_date') -%}
    {%- set restated = none -%}
    {%- set relation = ref('int_ownership_restatements') -%}
    {%- if execute and lower is not none -%}
        {%- if adapter.get_relation(relation.database, relation.schema, relation.identifier) is not none -%}
            {%- set restated = run_query(
                "select min(from_date)::text from " ~ relation ~ " where is_restated"
            ).columns[0].values()[0] -%}
        {%- endif -%}
    {%- endif -%}
    {{- return(none if lower is none else [lower, restated] | reject('none') | min) -}}
{%- endmacro %}


{% macro first_rebuilt_day() -%}
    {#- first_rebuilt_date() as a date literal ('-infinity' without a window), so the planner
        prunes every range on it at plan time; a `(select min(...))` would be a runtime parameter,
        and the facts' BRIN indexes and partitions would be read whole. -#}
    {%- set first = first_rebuilt_date() -%}
    {%- if first is none -%}'-infinity'::date{%- else -%}'{{ first }}'::date{%- endif -%}
{%- endmacro %}


{% macro delete_from_first_rebuilt_day(date_column='biz_date') -%}
    {%- if execute and is_incremental() -%}
        delete from {{ this }}
        where {{ date_column }} >= {{ first_rebuilt_day() }}
    {%- endif -%}
{%- endmacro %}


{% macro comparable_attribute(attribute, relation) -%}
    {#- A classification column made comparable with `=` (so joins can hash): null text is '',
        a null flag false. The marts turn '' back into null. -#}
    {%- if attribute.startswith('is_') -%}
        coalesce({{ relation }}.{{ attribute }}, false)
    {%- else -%}
        coalesce({{ relation }}.{{ attribute }}, '')
    {%- endif -%}
{%- endmacro %}


{% macro rebuilt_days_filter(column) -%}
    {#- The days a model over owners rebuilds: the window's, and before it the days a restatement
        changed (from the earliest). -#}
    {{ column }} >= {{ first_rebuilt_day() }}
    and {{ column }} <= {{ window_end("'infinity'::date") }}
{%- endmacro %}


{% macro account_absence_reason(accounts, biz_date) -%}
    {#- Why an account named by a descriptive feed is not on the ledger on biz_date, from its life in
        dim_account (first_seen_date, last_seen_date, close_date; all null when never seen). -#}
    case
        when {{ accounts }}.first_seen_date is null then 'account not in the ledger'
        when {{ accounts }}.first_seen_date > {{ biz_date }}
            then 'account not in the ledger yet (first on ' || {{ accounts }}.first_seen_date::text || ')'
        when {{ accounts }}.close_date <= {{ biz_date }}
            then 'account closed on ' || {{ accounts }}.close_date::text
        else 'account not in the ledger that day (last on ' || {{ accounts }}.last_seen_date::text || ')'
    end
{%- endmacro %}


{% macro delete_data_exceptions(restatements) -%}
    {#- rpt_data_exceptions: the window's rows are rebuilt, and the ownership rule's rows of the
        days a restatement changed before it. -#}
    {%- if execute and is_incremental() -%}
        delete from {{ this }}
        where
            {{ window_filter('biz_date') }}
            or (found_by = 'OWNERSHIP_RULE' and biz_date >= {{ first_rebuilt_day() }})
    {%- endif -%}
{%- endmacro %}
