{{
    config(
        materialized='incremental',
        incremental_strategy='partitioned_append',
        partition_by='biz_date',
        indexes=[
            {'columns': ['biz_date'], 'type': 'brin'},
            {'columns': ['acct_no', 'sub_acct_no']},
        ],
        pre_hook=[
            "{{ assert_window_follows('biz_date') }}",
            "{{ assert_window_is_latest('biz_date', same_year_only=true) }}",
            "{{ delete_restated_days(ref('int_ownership_restatements')) }}",
        ],
        post_hook=["{{ analyze_partitioned() }}"],
    )
}}

-- the owner rows this build replaces are kept first, for the aggregates over owners
-- depends_on: {{ ref('int_ownership_replaced_owner_rows') }}
{%- set periods = {'m': 'month', 'q': 'quarter', 'y': 'year'} %}
{#- A night (a one-day window) takes the running sums of the accounts no restatement reaches from the day
    before by a join (the doc decision_night_path); a restated account's days, and every account of a
    longer window, go through the window functions below, which sort every owner-day they cover. #}
{%- set one_day = is_one_day_window() %}

with

owners as (
    select * from {{ ref('int_account_owners_resolved') }}
),

account_days as (
    select * from {{ ref('int_ownership_account_days') }}
),

employees as (
    select * from {{ ref('dim_employee') }}
),

previous_rows as (
    -- the day before the window, as a literal: a night reads one day of the fact
    select * from {{ this_or_empty() }}
    where biz_date = {{ window_start("'infinity'::date") }} - 1
),

restated_starts as (
    -- the first day this build decides for each restated account (before the window)
    select
        acct_type,
        acct_no,
        sub_acct_no,
        min(biz_date) as first_date
    from account_days
    where is_restated
    group by acct_type, acct_no, sub_acct_no
),

restated_previous_rows as (
    -- the day before a restated account's first restated day, through the account index (not every
    -- account's rows of the restated days, which would grow with the restated span)
    select owner_rows.*
    from (select * from {{ this_or_empty() }}) as owner_rows
    inner join restated_starts
        on
            owner_rows.acct_type = restated_starts.acct_type
            and owner_rows.acct_no = restated_starts.acct_no
            and owner_rows.sub_acct_no = restated_starts.sub_acct_no
            and owner_rows.biz_date = restated_starts.first_date - 1
    where
        owner_rows.biz_date >= {{ first_restated_day() }} - 1
        and owner_rows.biz_date < {{ window_start("'infinity'::date") }} - 1
),

carried_rows as (
    -- each owner's running sums up to the day before the first day this build decides for the account:
    -- the day before the window for an account in the window from its first day and not restated (two
    -- hashed semi-joins: a join on the day each account starts was planned as one index probe per
    -- account), the day before its first restated day for a restated one
    select previous_rows.*
    from previous_rows
    where
        exists (
            select 1 from account_days
            where
                account_days.acct_type = previous_rows.acct_type
                and account_days.acct_no = previous_rows.acct_no
                and account_days.sub_acct_no = previous_rows.sub_acct_no
                and account_days.biz_date = {{ window_start("'infinity'::date") }}
        )
        and not {{ is_restated_account('previous_rows') }}
    union all
    select * from restated_previous_rows
),

window_path_owners as (
    -- the owners the window functions below decide: every one, except on a night only the restated
    -- accounts' (night_rows has the others), restricted before the distinct keys below sort them
    select owners.*
    from owners
    {%- if one_day %}
        where {{ is_restated_account('owners') }}
    {%- endif %}
),

window_path_carried_rows as (
    -- carried_rows restricted the same way
    select carried_rows.*
    from carried_rows
    {%- if one_day %}
        where {{ is_restated_account('carried_rows') }}
    {%- endif %}
),

owner_keys as (
    -- every owner of an account this year so far: a former owner keeps a zero-share row to the
    -- end of the year, so the owners' period sums always add up to the account's
    select
        acct_type,
        acct_no,
        sub_acct_no,
        emp_id,
        portion
    from window_path_owners
    union
    select
        acct_type,
        acct_no,
        sub_acct_no,
        emp_id,
        portion
    from window_path_carried_rows
),

owner_days as (
    select
        owner_keys.acct_type,
        owner_keys.acct_no,
        owner_keys.sub_acct_no,
        owner_keys.emp_id,
        owner_keys.portion,
        account_days.biz_date,
        account_days.open_org_id,
        account_days.balance_cny,
        false as is_carried_in
    from owner_keys
    inner join account_days
        on
            owner_keys.acct_type = account_days.acct_type
            and owner_keys.acct_no = account_days.acct_no
            and owner_keys.sub_acct_no = account_days.sub_acct_no
    union all
    select
        acct_type,
        acct_no,
        sub_acct_no,
        emp_id,
        portion,
        biz_date,
        open_org_id,
        balance_cny,
        true as is_carried_in
    from window_path_carried_rows
),

daily_contributions as (
    select
        owner_days.*,
        owners.emp_id is not null as is_owner,
        owners.share,
        owners.share_pct,
        owners.source,
        owners.original_emp_id,
        owners.portion_balance_cny,
        owners.alloc_balance_cny,
        {%- for suffix in periods %}
            case
                when owner_days.is_carried_in then carried_rows.cum_alloc_balance_cny_{{ suffix }}
                else coalesce(owners.alloc_balance_cny, 0)
            end as added_{{ suffix }},
        {%- endfor %}
        owner_days.is_carried_in or owners.emp_id is not null as is_held
    from owner_days
    left join window_path_owners as owners
        on
            owner_days.acct_type = owners.acct_type
            and owner_days.acct_no = owners.acct_no
            and owner_days.sub_acct_no = owners.sub_acct_no
            and owner_days.emp_id = owners.emp_id
            and owner_days.portion = owners.portion
            and owner_days.biz_date = owners.biz_date
    left join window_path_carried_rows as carried_rows
        on
            owner_days.is_carried_in
            and owner_days.acct_type = carried_rows.acct_type
            and owner_days.acct_no = carried_rows.acct_no
            and owner_days.sub_acct_no = carried_rows.sub_acct_no
            and owner_days.emp_id = carried_rows.emp_id
            and owner_days.portion = carried_rows.portion
),

running_sums as (
    select
        *,
        {%- for suffix, period in periods.items() %}
            sum(added_{{ suffix }}) over by_owner_{{ suffix }} as cum_alloc_balance_cny_{{ suffix }},
        {%- endfor %}
        bool_or(is_held) over by_owner_y as is_held_in_year
    from daily_contributions
    window
        {%- for suffix, period in periods.items() if suffix != 'y' %}
            by_owner_{{ suffix }} as (
                partition by acct_type, acct_no, sub_acct_no, emp_id, portion, {{ period_start('biz_date', period) }}
                order by biz_date
            ),
        {%- endfor %}
        by_owner_y as (
            partition by acct_type, acct_no, sub_acct_no, emp_id, portion, {{ period_start('biz_date', 'year') }}
            order by biz_date
        )
),

night_rows as (
    -- (a night) the owner rows of the day's accounts no restatement reaches: each owner of the day, and
    -- each owner of the day before while the year goes on (a former owner keeps a zero-share row), the
    -- running sums the day before's within the period plus the day's allocation (carried_running_sum)
    select
        account_days.acct_type,
        account_days.acct_no,
        account_days.sub_acct_no,
        coalesce(day_owners.emp_id, carried_rows.emp_id) as emp_id,
        coalesce(day_owners.portion, carried_rows.portion) as portion,
        account_days.biz_date,
        account_days.open_org_id,
        account_days.balance_cny,
        day_owners.share,
        day_owners.share_pct,
        day_owners.source,
        day_owners.original_emp_id,
        day_owners.portion_balance_cny,
        day_owners.alloc_balance_cny,
        {%- for suffix, period in periods.items() %}
            {{ carried_running_sum(
                'carried_rows', 'cum_alloc_balance_cny_' ~ suffix, 'coalesce(day_owners.alloc_balance_cny, 0)', period
            ) }} as cum_alloc_balance_cny_{{ suffix }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from (
        select owners.* from owners
        where owners.biz_date = {{ window_start("'infinity'::date") }}
    ) as day_owners
    full outer join (
        select carried_rows.* from carried_rows
        where carried_rows.biz_date = {{ window_start("'infinity'::date") }} - 1
    ) as carried_rows
        on
            day_owners.acct_type = carried_rows.acct_type
            and day_owners.acct_no = carried_rows.acct_no
            and day_owners.sub_acct_no = carried_rows.sub_acct_no
            and day_owners.emp_id = carried_rows.emp_id
            and day_owners.portion = carried_rows.portion
    inner join account_days
        on
            coalesce(day_owners.acct_type, carried_rows.acct_type) = account_days.acct_type
            and coalesce(day_owners.acct_no, carried_rows.acct_no) = account_days.acct_no
            and coalesce(day_owners.sub_acct_no, carried_rows.sub_acct_no) = account_days.sub_acct_no
    where
        {{ one_day }}
        and account_days.biz_date = {{ window_start("'infinity'::date") }}
        and not {{ is_restated_account('account_days') }}
        and (
            day_owners.emp_id is not null
            or {{ period_start('carried_rows.biz_date', 'year') }} = {{ period_start('account_days.biz_date', 'year') }}
        )
),

held_rows as (
    -- the rows the fact keeps: held this year so far, not the carried-in day before
    {%- set row_columns = [
        'acct_type', 'acct_no', 'sub_acct_no', 'emp_id', 'portion', 'biz_date', 'open_org_id', 'balance_cny',
        'share', 'share_pct', 'source', 'original_emp_id', 'portion_balance_cny', 'alloc_balance_cny',
    ] %}
    select
        {%- for column in row_columns %}
            {{ column }},
        {%- endfor %}
        {%- for suffix in periods %}
            cum_alloc_balance_cny_{{ suffix }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from running_sums
    where
        not is_carried_in
        and is_held_in_year
    union all
    select * from night_rows
),

owner_institutions as (
    -- the owner's institution that day (a virtual manager belongs to its institution)
    select
        held_rows.*,
        employees.org_id as owner_org_id
    from held_rows
    left join employees
        on
            held_rows.emp_id = employees.emp_id
            and held_rows.biz_date >= employees.valid_from
            and held_rows.biz_date <= coalesce(employees.valid_to, 'infinity'::date)
),

final as (
    select
        -- key
        biz_date::date as biz_date,
        acct_type::text as acct_type,
        acct_no::text as acct_no,
        sub_acct_no::text as sub_acct_no,
        emp_id::text as emp_id,
        portion::text as portion,
        -- the decision
        coalesce(share, 0)::numeric(16, 12) as share,
        share_pct::numeric(9, 4) as share_pct,
        coalesce(source, 'ENDED')::text as source,
        coalesce(original_emp_id, emp_id)::text as original_emp_id,
        coalesce(owner_org_id, open_org_id)::text as owner_org_id,
        open_org_id::text as open_org_id,
        -- the owner's period figures (积数 and 日均) of the allocated balance
        {%- for suffix, period in periods.items() %}
            cum_alloc_balance_cny_{{ suffix }}::numeric(24, 2) as cum_alloc_balance_cny_{{ suffix }},
            round(cum_alloc_balance_cny_{{ suffix }} / {{ days_elapsed('biz_date', period) }}, 6)::numeric(24, 6)
                as avg_alloc_balance_cny_{{ suffix }},
        {%- endfor %}
        -- the day's amounts (CNY)
        balance_cny::numeric(20, 2) as balance_cny,
        coalesce(portion_balance_cny, 0)::numeric(20, 2) as portion_balance_cny,
        coalesce(alloc_balance_cny, 0)::numeric(20, 2) as alloc_balance_cny
    from owner_institutions
)

select * from final
