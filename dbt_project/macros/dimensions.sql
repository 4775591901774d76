{#- The two ways the warehouse keeps a dimension from daily snapshots, each written once.
    Both read only the window's snapshots plus the rows of the dimension they continue, so a
    night's cost does not grow with history. They emit CTEs; the model names the snapshot CTE
    and selects from the last one (`versions` / `latest_states`). -#}

{% macro scd2_versions(snapshots, key, tracked_columns) -%}
    {#- Effective-dated versions: a new version starts on the first day a tracked column
        differs from the day before; valid_to is the day before the next version starts
        (null while open). Absence from a snapshot does not close a version. -#}
    {%- set lower = window_bound('min_date') -%}
    {%- set continuing = is_incremental() and lower is not none -%}
{%- if continuing %}
prior_versions as (
    -- the version in force on the day before the window: the one the window continues
    select
        {{ key }},
        {%- for column in tracked_columns %}
        {{ column }},
        {%- endfor %}
        valid_from,
        last_seen_date
    from {{ this }}
    where
        valid_from < '{{ lower }}'::date
        and coalesce(valid_to, 'infinity'::date) >= '{{ lower }}'::date - 1
),
{%- endif %}

version_timeline as (
    {%- if continuing %}
    select
        {{ key }},
        {%- for column in tracked_columns %}
        {{ column }},
        {%- endfor %}
        valid_from as observed_date,
        valid_from,
        last_seen_date
    from prior_versions
    union all
    {%- endif %}
    select
        {{ key }},
        {%- for column in tracked_columns %}
        {{ column }},
        {%- endfor %}
        biz_date as observed_date,
        null::date as valid_from,
        biz_date as last_seen_date
    from {{ snapshots }}
),

version_states as (
    -- the tracked columns as one comparable value (a row's text form tells null from '')
    select
        *,
        row({{ tracked_columns | join(', ') }})::text as tracked_state
    from version_timeline
),

version_changes as (
    select
        *,
        coalesce(lag(tracked_state) over by_day <> tracked_state, true) as is_version_start
    from version_states
    window by_day as (partition by {{ key }} order by observed_date)
),

version_numbers as (
    select
        *,
        sum(case when is_version_start then 1 else 0 end) over (
            partition by {{ key }} order by observed_date rows unbounded preceding
        ) as version_number
    from version_changes
),

version_sightings as (
    select
        *,
        max(last_seen_date) over (partition by {{ key }}, version_number) as version_last_seen_date
    from version_numbers
),

versions as (
    select
        {{ key }},
        {%- for column in tracked_columns %}
        {{ column }},
        {%- endfor %}
        coalesce(valid_from, observed_date) as valid_from,
        lead(observed_date) over (partition by {{ key }} order by observed_date) - 1 as valid_to,
        version_last_seen_date as last_seen_date
    from version_sightings
    where is_version_start
)
{%- endmacro %}


{% macro latest_states(snapshots, key_columns, attribute_columns) -%}
    {#- Current state (type 1): per key, the attributes of the latest day seen, with the first
        and last day seen. Order-independent: a rerun of an older window never overwrites a
        newer state, so reruns need no chain. A night (a one-day window, incremental) takes the same
        by one join of the day's snapshot to the stored states (the doc decision_night_path): a key is
        once in a day's snapshot (its models' unique tests), so the window functions below, which sort
        the window's and the stored rows, would rank just that row against the stored one. -#}
{%- if is_incremental() and is_one_day_window() %}
latest_states as (
    -- the day's state, unless the stored one was seen later (a rerun of an older night keeps it); the
    -- first day seen is the earlier of the stored one and the day
    select
        {%- for column in key_columns %}
        day_states.{{ column }},
        {%- endfor %}
        {%- for column in attribute_columns %}
        case
            when existing.last_seen_date > day_states.biz_date then existing.{{ column }}
            else day_states.{{ column }}
        end as {{ column }},
        {%- endfor %}
        least(existing.first_seen_date, day_states.biz_date) as first_seen_date,
        greatest(existing.last_seen_date, day_states.biz_date) as last_seen_date
    from {{ snapshots }} as day_states
    left join {{ this }} as existing
        on
        {%- for column in key_columns %}
            {{ 'and ' if not loop.first }}day_states.{{ column }} = existing.{{ column }}
        {%- endfor %}
    where day_states.biz_date = {{ window_start('day_states.biz_date') }}
)
{%- else %}
window_states as (
    select
        {%- for column in key_columns %}
        {{ column }},
        {%- endfor %}
        {%- for column in attribute_columns %}
        {{ column }},
        {%- endfor %}
        min(biz_date) over (partition by {{ key_columns | join(', ') }}) as first_seen_date,
        biz_date as last_seen_date,
        row_number() over (
            partition by {{ key_columns | join(', ') }} order by biz_date desc
        ) as recency
    from {{ snapshots }}
),

candidate_states as (
    select
        {%- for column in key_columns %}
        {{ column }},
        {%- endfor %}
        {%- for column in attribute_columns %}
        {{ column }},
        {%- endfor %}
        first_seen_date,
        last_seen_date,
        0 as source_rank
    from window_states
    where recency = 1
    {%- if is_incremental() %}
    union all
    select
        {%- for column in key_columns %}
        existing.{{ column }},
        {%- endfor %}
        {%- for column in attribute_columns %}
        existing.{{ column }},
        {%- endfor %}
        existing.first_seen_date,
        existing.last_seen_date,
        1 as source_rank
    from {{ this }} as existing
    inner join window_states
        on
        {%- for column in key_columns %}
            {{ 'and ' if not loop.first }}existing.{{ column }} = window_states.{{ column }}
        {%- endfor %}
            and window_states.recency = 1
    {%- endif %}
),

ranked_states as (
    select
        *,
        min(first_seen_date) over (partition by {{ key_columns | join(', ') }}) as first_seen_ever_date,
        row_number() over (
            partition by {{ key_columns | join(', ') }} order by last_seen_date desc, source_rank asc
        ) as recency
    from candidate_states
),

latest_states as (
    select
        {%- for column in key_columns %}
        {{ column }},
        {%- endfor %}
        {%- for column in attribute_columns %}
        {{ column }},
        {%- endfor %}
        first_seen_ever_date as first_seen_date,
        last_seen_date
    from ranked_states
    where recency = 1
)
{%- endif %}
{%- endmacro %}


{% macro is_npl(five_class) -%}
    {#- Non-performing (不良): five-class 3 (substandard), 4 (doubtful) or 5 (loss); false when unknown. -#}
    coalesce({{ five_class }} in (3, 4, 5), false)
{%- endmacro %}
