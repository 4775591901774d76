{#- The window of business dates one run processes: vars min_date / max_date (ISO dates,
    YYYY-MM-DD or YYYYMMDD). Dagster passes its partition range; null means "no bound". -#}

{% macro window_bound(name) -%}
    {%- set value = var(name, none) -%}
    {%- if value is none or (value | string | trim) in ('', 'None', 'null') -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set text = value | string | trim -%}
    {%- set compact = modules.re.match('^(\\d{4})(\\d{2})(\\d{2})$', text) -%}
    {%- if compact -%}
        {%- set text = compact.group(1) ~ '-' ~ compact.group(2) ~ '-' ~ compact.group(3) -%}
    {%- endif -%}
    {%- set parsed = none -%}
    {%- if modules.re.match('^\\d{4}-\\d{2}-\\d{2}$', text) -%}
        {%- set parsed = modules.datetime.datetime.strptime(text, '%Y-%m-%d') -%}
    {%- endif -%}
    {%- if parsed is none -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " = '" ~ value ~ "' is not a date: give YYYY-MM-DD (or YYYYMMDD)"
        ) }}
    {%- endif -%}
    {%- if name == 'max_date' and window_bound('min_date') is not none and window_bound('min_date') > text -%}
        {{ exceptions.raise_compiler_error(
            "var max_date " ~ text ~ " is before min_date " ~ window_bound('min_date')
        ) }}
    {%- endif -%}
    {{- return(text) -}}
{%- endmacro %}


{% macro window_filter(column) -%}
    {%- set lower = window_bound('min_date') -%}
    {%- set upper = window_bound('max_date') -%}
    {%- if lower is not none and upper is not none -%}
        {{ column }} between '{{ lower }}'::date and '{{ upper }}'::date
    {%- elif lower is not none -%}
        {{ column }} >= '{{ lower }}'::date
    {%- elif upper is not none -%}
        {{ column }} <= '{{ upper }}'::date
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{% macro window_start(fallback) -%}
    {%- set lower = window_bound('min_date') -%}
    {%- if lower is not none -%}'{{ lower }}'::date{%- else -%}{{ fallback }}{%- endif -%}
{%- endmacro %}


{% macro window_end(fallback) -%}
    {%- set upper = window_bound('max_date') -%}
    {%- if upper is not none -%}'{{ upper }}'::date{%- else -%}{{ fallback }}{%- endif -%}
{%- endmacro %}


{% macro window_and_period_end_dates(first_date, last_date, periods) -%}
    {#- The dates first_date..last_date (ISO text) and, for each period in `periods` ('year',
        'month'), the day before the period each of them falls in (the previous year- or
        month-end it compares with): a sorted list of dates. -#}
    {%- set datetime = modules.datetime -%}
    {%- set first = datetime.datetime.strptime(first_date, '%Y-%m-%d').date() -%}
    {%- set last = datetime.datetime.strptime(last_date, '%Y-%m-%d').date() -%}
    {%- set dates = [] -%}
    {%- for offset in range((last - first).days + 1) -%}
        {%- set day = first + datetime.timedelta(days=offset) -%}
        {%- do dates.append(day) -%}
        {%- if 'year' in periods -%}
            {%- do dates.append(day.replace(month=1, day=1) - datetime.timedelta(days=1)) -%}
        {%- endif -%}
        {%- if 'month' in periods -%}
            {%- do dates.append(day.replace(day=1) - datetime.timedelta(days=1)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(dates | unique | sort) -}}
{%- endmacro %}


{% macro date_literals(dates) -%}
    {#- Dates as date literals for `in (...)`: known at plan time, so a query reads only these days
        of a fact (BRIN ranges, partitions). -#}
    {%- for day in dates -%}
        '{{ day.isoformat() }}'::date{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}


{% macro dates_and_period_ends(first_date, last_date, periods) -%}
    {#- window_and_period_end_dates as date literals for `in (...)`. -#}
    {{- date_literals(window_and_period_end_dates(first_date, last_date, periods)) -}}
{%- endmacro %}


{% macro is_one_day_window() -%}
    {#- Whether this run's window is one day (a night): its models may then take running sums and
        day-on-day changes from the day before by a join (carried_running_sum) instead of window
        functions over the window and the day before, which sort every account-day of both. -#}
    {{- return(window_bound('min_date') is not none and window_bound('min_date') == window_bound('max_date')) -}}
{%- endmacro %}

