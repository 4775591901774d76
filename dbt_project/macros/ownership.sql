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


{% macro first_restated_date() -%}
    {#- The first business date the ownership build decides (ISO text, none without a window): the
        window's first day, or the earliest day from which a restatement recomputes an account,
        read from int_ownership_restatements when the model runs (that table is built before every
        model that calls this). Account-level: fct_account_owner_daily, the ownership exceptions. -#}
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


{% macro first_restated_day() -%}
    {#- first_restated_date() as a date literal ('-infinity' without a window). -#}
    {%- set first = first_restated_date() -%}
    {%- if first is none -%}'-infinity'::date{%- else -%}'{{ first }}'::date{%- endif -%}
{%- endmacro %}


{% macro owner_restatement() -%}
    {#- compute_owner_restatement() once per dbt invocation (every aggregate over owners asks it
        several times while it compiles; the answer depends only on tables built before them) -#}
    {%- if not execute or window_bound('min_date') is none -%}
        {{- return(compute_owner_restatement()) -}}
    {%- endif -%}
    {%- set cache = graph.setdefault('bankperf_owner_restatement', {}) -%}
    {%- if invocation_id not in cache -%}
        {%- do cache.update({invocation_id: compute_owner_restatement()}) -%}
    {%- endif -%}
    {{- return(cache[invocation_id]) -}}
{%- endmacro %}


{% macro compute_owner_restatement() -%}
    {#- What this build's restatements change for the aggregates over owners, read when the model
        runs (after fct_account_owner_daily): {'first_date': ISO text, 'subjects': a list of
        [subject_type, subject_id] (assessment caliber), or none for every subject}.

        An account-day is changed when its owner rows with a share (owner, portion, owner's
        institution, share, allocated balance) differ before and after the restatement
        (int_ownership_replaced_owner_rows against the rebuilt fct_account_owner_daily). Its
        owners before and after are the touched employees and virtual managers (all of them, not
        only the changed rows: an exact allocation of the account's profit may move a remainder
        between owners). An institution is touched by a changed account-day when it lies above some
        but not all of its owners before and after (their institutions that day up the attribution
        tree): above all of them it counts the whole account-day either way, since an account-day's
        allocations sum to its figures exactly; so the head office is never touched. Each touched
        subject is rebuilt from its first changed day. The accounting caliber does not depend on
        owners and is never touched. A restatement that changes no owner row (a REL relation that
        vanished while the ledger's manager is the same employee, rules.md Ownership 3) touches
        nothing: the aggregates then rebuild the window only. Without a window, or when the
        replaced rows may already be the new ones (a rerun of a window the mart already holds),
        every subject is rebuilt from the first restated day. -#}
    {%- set lower = window_bound('min_date') -%}
    {%- set restatements = ref('int_ownership_restatements') -%}
    {%- set replaced = ref('int_ownership_replaced_owner_rows') -%}
    {%- set owners = ref('fct_account_owner_daily') -%}
    {%- set ancestors = ref('bridge_institution_ancestor') -%}
    {%- if not execute or lower is none -%}
        {{- return({'first_date': lower, 'subjects': none}) -}}
    {%- endif -%}
    {%- if adapter.get_relation(replaced.database, replaced.schema, replaced.identifier) is none -%}
        {{- return({'first_date': lower, 'subjects': []}) -}}
    {%- endif -%}
    {%- set state = run_query(
        "select (select coalesce(bool_and(is_previous_build), true) from " ~ replaced ~ "),"
        ~ " (select min(from_date)::text from " ~ restatements ~ " where is_restated)"
    ).rows[0] -%}
    {%- if state[1] is none -%}
        {{- return({'first_date': lower, 'subjects': []}) -}}
    {%- endif -%}
    {%- if not state[0] -%}
        {{- return({'first_date': [lower, state[1]] | min, 'subjects': none}) -}}
    {%- endif -%}
    {%- set touched_sql -%}
        with
        changed_rows as (
            {{ restated_owner_rows() }}
        ),
        changed_owners as (
            -- the owners of each changed account-day, before and after (each owner with his institution)
            select distinct biz_date, acct_type, acct_no, sub_acct_no, emp_id, owner_org_id
            from changed_rows
        ),
        owner_counts as (
            select biz_date, acct_type, acct_no, sub_acct_no, count(*) as owners
            from changed_owners
            group by biz_date, acct_type, acct_no, sub_acct_no
        ),
        institution_owners as (
            -- for each institution above an owner, how many of the account-day's owners it covers
            select
                changed_owners.biz_date, changed_owners.acct_type, changed_owners.acct_no,
                changed_owners.sub_acct_no, ancestors.ancestor_org_id, count(*) as owners_under
            from changed_owners
            inner join {{ ancestors }} as ancestors
                on
                    changed_owners.owner_org_id = ancestors.org_id
                    and changed_owners.biz_date >= ancestors.valid_from
                    and changed_owners.biz_date <= coalesce(ancestors.valid_to, 'infinity'::date)
            group by 1, 2, 3, 4, 5
        )
        select 'EMP' as subject_type, emp_id as subject_id, min(biz_date)::text as first_date
        from changed_owners
        group by emp_id
        union all
        -- an institution above every owner before and after counts the whole account-day either way
        -- (the allocations of an account-day sum to the account's figures exactly): not touched
        select 'ORG' as subject_type, institution_owners.ancestor_org_id as subject_id,
            min(institution_owners.biz_date)::text
        from institution_owners
        inner join owner_counts using (biz_date, acct_type, acct_no, sub_acct_no)
        where institution_owners.owners_under < owner_counts.owners
        group by institution_owners.ancestor_org_id
        order by 1, 2
    {%- endset -%}
    {%- set touched = run_query(touched_sql).rows -%}
    {%- set subjects = [] -%}
    {%- set first_dates = [lower] -%}
    {%- for row in touched -%}
        {%- do subjects.append([row[0], row[1]]) -%}
        {%- do first_dates.append(row[2]) -%}
    {%- endfor -%}
    {{- return({'first_date': first_dates | min, 'subjects': subjects}) -}}
{%- endmacro %}


{% macro restated_owner_rows() -%}
    {#- The owner rows with a share of the account-days a restatement changed before the window, both
        as the previous build held them (side 'BEFORE', int_ownership_replaced_owner_rows) and as
        fct_account_owner_daily holds them now (side 'AFTER'): an account-day is changed when its rows
        (owner, portion, owner's institution, share, allocated balance) differ. A select, for a CTE of
        a model that runs after fct_account_owner_daily on a windowed build. -#}
    {%- set columns = [
        'biz_date', 'acct_type', 'acct_no', 'sub_acct_no', 'emp_id', 'portion', 'owner_org_id', 'share',
        'alloc_balance_cny',
    ] -%}
    with
    restated_accounts as (
        select acct_type, acct_no, sub_acct_no, min(from_date) as from_date
        from {{ ref('int_ownership_restatements') }}
        where is_restated
        group by acct_type, acct_no, sub_acct_no
    ),
    before_rows as (
        select {{ columns | join(', ') }} from {{ ref('int_ownership_replaced_owner_rows') }} where share <> 0
    ),
    after_rows as (
        select
            {%- for column in columns %} owner_rows.{{ column }}{{ ',' if not loop.last }}{% endfor %}
        from {{ ref('fct_account_owner_daily') }} as owner_rows
        inner join restated_accounts
            on
                owner_rows.acct_type = restated_accounts.acct_type
                and owner_rows.acct_no = restated_accounts.acct_no
                and owner_rows.sub_acct_no = restated_accounts.sub_acct_no
        where
            owner_rows.biz_date >= restated_accounts.from_date
            and owner_rows.biz_date < {{ window_start("'-infinity'::date") }}
            and owner_rows.share <> 0
    ),
    changed_days as (
        select distinct biz_date, acct_type, acct_no, sub_acct_no
        from (
            (select * from before_rows except select * from after_rows)
            union all
            (select * from after_rows except select * from before_rows)
        ) as changed
    )
    select 'BEFORE' as side, before_rows.*
    from before_rows
    inner join changed_days using (biz_date, acct_type, acct_no, sub_acct_no)
    union all
    select 'AFTER' as side, after_rows.*
    from after_rows
    inner join changed_days using (biz_date, acct_type, acct_no, sub_acct_no)
{%- endmacro %}


{% macro first_rebuilt_date() -%}
    {#- The first business date an aggregate over owners must rebuild (ISO text, none without a
        window): the window's first day, or the earliest day a restatement changed an owner's
        figures (owner_restatement()). -#}
    {{- return(owner_restatement()['first_date']) -}}
{%- endmacro %}


{% macro first_rebuilt_day() -%}
    {#- first_rebuilt_date() as a date literal ('-infinity' without a window), so the planner
        prunes every range on it at plan time; a `(select min(...))` would be a runtime parameter,
        and the facts' BRIN indexes and partitions would be read whole. -#}
    {%- set first = first_rebuilt_date() -%}
    {%- if first is none -%}'-infinity'::date{%- else -%}'{{ first }}'::date{%- endif -%}
{%- endmacro %}


{% macro touched_subject_filter(subject_type, subject_id, caliber=none) -%}
    {#- Whether a subject is one a restatement touched (owner_restatement()): a literal list, so
        the planner knows it; `true` when every subject is rebuilt. -#}
    {%- set subjects = owner_restatement()['subjects'] -%}
    {%- if subjects is none -%}
        true
    {%- elif subjects | length == 0 -%}
        false
    {%- else -%}
        (({{ subject_type }}, {{ subject_id }}) in (
            {%- for subject in subjects -%}
                ('{{ subject[0] }}', '{{ subject[1] | replace("'", "''") }}'){{ ', ' if not loop.last }}
            {%- endfor -%}
        )
        {%- if caliber is not none %} and {{ caliber }} = 'ASSESSMENT'{% endif -%})
    {%- endif -%}
{%- endmacro %}


{% macro touched_owner_filter(emp_column, org_column=none) -%}
    {#- Whether an owner row may count to a subject a restatement touched: its owner is a touched
        employee or virtual manager, or its institution lies below a touched institution (at any
        time: a superset; the aggregates then keep the touched subject-days only; without org_column
        only the touched employees' and virtual managers' rows). Restricts what an
        aggregate reads before the window to the touched subjects' rows, so a restatement back in
        time costs what it changes, not every account-day since the restated day. -#}
    {%- set ancestors = ref('bridge_institution_ancestor') if org_column is not none else none -%}
    {%- set subjects = owner_restatement()['subjects'] -%}
    {%- if subjects is none -%}
        true
    {%- else -%}
        {%- set employees = [] -%}
        {%- set institutions = [] -%}
        {%- for subject in subjects -%}
            {%- do (employees if subject[0] == 'EMP' else institutions).append(
                "'" ~ (subject[1] | replace("'", "''")) ~ "'"
            ) -%}
        {%- endfor -%}
        (
            {%- if employees %}{{ emp_column }} in ({{ employees | join(', ') }}){% else %}false{% endif %}
            or
            {%- if institutions and org_column is not none %} {{ org_column }} in (
                select below.org_id from {{ ancestors }} as below
                where below.ancestor_org_id in ({{ institutions | join(', ') }})
            )
            {%- else %} false{% endif -%}
        )
    {%- endif -%}
{%- endmacro %}


{% macro rebuilt_owner_rows_filter(date_column='biz_date', emp_column='emp_id', org_column='owner_org_id') -%}
    {#- The owner rows (of fct_account_owner_daily or a fact keyed like it) an aggregate over owners
        reads: every row of the window's days, and before them, from the first rebuilt day, the
        rows of the touched subjects' owners (touched_owner_filter). -#}
    {%- if window_bound('min_date') is none -%}
        {{ date_column }} <= {{ window_end("'infinity'::date") }}
    {%- else -%}
        (
            {{ date_column }} >= {{ window_start("'-infinity'::date") }}
            and {{ date_column }} <= {{ window_end("'infinity'::date") }}
            or {{ date_column }} >= {{ first_rebuilt_day() }}
            and {{ date_column }} < {{ window_start("'-infinity'::date") }}
            and {{ touched_owner_filter(emp_column, org_column) }}
        )
    {%- endif -%}
{%- endmacro %}


{% macro rebuilt_account_days(relation, owner_rows, window_only=false) -%}
    {#- The account-days of `relation` (keyed by biz_date and the account) an aggregate over owners
        reads: every account on the window's days, and before them only the account-days of the
        owner rows it reads (`owner_rows`, a CTE filtered by rebuilt_owner_rows_filter); only the
        window's with `window_only` (an aggregate rebuilt by difference reads the changed account-days
        apart, changed_account_rows). A semi-join (`in`): an inner join on the four key columns is
        estimated at one row by PostgreSQL (it multiplies the columns' selectivities), which led the
        planner into nested loops over thousands of rows. -#}
    select * from {{ relation }}
    {%- if window_only %}
    where {{ window_filter('biz_date') }}
    {%- else %}
    where {{ rebuilt_days_filter('biz_date') }}
    {%- endif %}
    {%- if window_bound('min_date') is not none and not window_only %}
        and (
            biz_date >= {{ window_start("'-infinity'::date") }}
            or (biz_date, acct_type, acct_no, sub_acct_no) in (
                select restricted.biz_date, restricted.acct_type, restricted.acct_no, restricted.sub_acct_no
                from {{ owner_rows }} as restricted
                where restricted.biz_date < {{ window_start("'-infinity'::date") }}
            )
        )
    {%- endif %}
{%- endmacro %}


{% macro rebuilt_subject_days_filter(date_column, subject_type, subject_id, caliber=none) -%}
    {#- The subject-days an aggregate over owners rebuilds: every subject on the window's days, and
        the subjects a restatement touched from the first rebuilt day (date literals both). -#}
    {%- if window_bound('min_date') is none -%}
        {{ date_column }} <= {{ window_end("'infinity'::date") }}
    {%- else -%}
        (
            {{ date_column }} >= {{ window_start("'-infinity'::date") }}
            and {{ date_column }} <= {{ window_end("'infinity'::date") }}
            or {{ date_column }} >= {{ first_rebuilt_day() }}
            and {{ date_column }} < {{ window_start("'-infinity'::date") }}
            and {{ touched_subject_filter(subject_type, subject_id, caliber) }}
        )
    {%- endif -%}
{%- endmacro %}


{% macro carried_subject_rows_filter(date_column, subject_type, subject_id, caliber=none) -%}
    {#- The rows an aggregate's running sums go on from: the day before the window for the subjects
        rebuilt from the window, the day before the first rebuilt day for the touched ones. -#}
    (
        {{ date_column }} = {{ window_start("'-infinity'::date") }} - 1
        and not ({{ touched_subject_filter(subject_type, subject_id, caliber) }})
        or {{ date_column }} = {{ first_rebuilt_day() }} - 1
        and {{ touched_subject_filter(subject_type, subject_id, caliber) }}
    )
{%- endmacro %}


{% macro delete_rebuilt_subject_days(subject_type='subject_type', subject_id='subject_id', caliber='caliber') -%}
    {#- Remove the subject-days this build rebuilds (rebuilt_subject_days_filter) before it
        inserts them again. -#}
    {%- if execute and is_incremental() -%}
        delete from {{ this }}
        where
            biz_date >= {{ window_start("'-infinity'::date") }}
            or biz_date >= {{ first_rebuilt_day() }}
            and {{ touched_subject_filter(subject_type, subject_id, caliber) }}
    {%- endif -%}
{%- endmacro %}


{% macro owner_subject_amounts(owner_rows, attributes) -%}
    {#- The assessment caliber's day amounts of an owner-rows relation (biz_date, emp_id,
        owner_org_id, the classification `attributes`, alloc_balance_cny, share): to the owner, and
        through him to his institution that day and up the attribution tree (rules.md, Calibers).
        The rows are summed per owner and institution first and those sums rolled up the tree, so the
        cost follows the owner rows, not owner rows x the tree's depth. A `with` query: it can be
        followed by `union all`. Needs a CTE `ancestors` (bridge_institution_ancestor). -#}
    {%- set group_columns = range(1, attributes | length + 5) | join(', ') -%}
    with

    owner_sums as (
        select
            {{ owner_rows }}.emp_id,
            {{ owner_rows }}.owner_org_id,
            {%- for attribute in attributes %}
                {{ owner_rows }}.{{ attribute }},
            {%- endfor %}
            {{ owner_rows }}.biz_date,
            sum({{ owner_rows }}.alloc_balance_cny) as balance_cny,
            sum({{ owner_rows }}.share) as account_count
        from {{ owner_rows }}
        group by {{ range(1, attributes | length + 4) | join(', ') }}
    )

    select
        'EMP' as subject_type,
        owner_sums.emp_id as subject_id,
        'ASSESSMENT' as caliber,
        {%- for attribute in attributes %}
            owner_sums.{{ attribute }},
        {%- endfor %}
        owner_sums.biz_date,
        sum(owner_sums.balance_cny) as balance_cny,
        sum(owner_sums.account_count) as account_count
    from owner_sums
    group by {{ group_columns }}
    union all
    select
        'ORG' as subject_type,
        ancestors.ancestor_org_id as subject_id,
        'ASSESSMENT' as caliber,
        {%- for attribute in attributes %}
            owner_sums.{{ attribute }},
        {%- endfor %}
        owner_sums.biz_date,
        sum(owner_sums.balance_cny) as balance_cny,
        sum(owner_sums.account_count) as account_count
    from owner_sums
    inner join ancestors
        on
            owner_sums.owner_org_id = ancestors.org_id
            and owner_sums.biz_date >= ancestors.valid_from
            and owner_sums.biz_date <= coalesce(ancestors.valid_to, 'infinity'::date)
    group by {{ group_columns }}
{%- endmacro %}


{% macro rebuilt_by_difference() -%}
    {#- Whether this build rebuilds the touched subjects' days before the window by difference: their
        stored rows plus what the restated account-days changed (restated_owner_rows(), after less
        before), rather than from every account-day they hold since the first restated day. For an
        aggregate whose day figures are sums over account-days (each row counting what it sums, so that
        a row the restatement empties disappears as in a rebuild), on an incremental windowed build
        whose restatement touched some subject; never when every subject is rebuilt. -#}
    {%- set subjects = owner_restatement()['subjects'] -%}
    {{- return(execute and is_incremental() and window_bound('min_date') is not none
        and subjects is not none and subjects | length > 0) -}}
{%- endmacro %}


{% macro keep_replaced_subject_days(subject_type='subject_type', subject_id='subject_id', caliber='caliber') -%}
    {#- Pre-hook of an aggregate rebuilt by difference, before delete_rebuilt_subject_days: copy the
        touched subjects' stored rows before the window into a temporary table `<model>__replaced`
        that the model's SQL reads (dropped at the end of the build's transaction). -#}
    {%- if rebuilt_by_difference() -%}
        create temporary table "{{ this.identifier }}__replaced" on commit drop as
        select * from {{ this }}
        where
            biz_date >= {{ first_rebuilt_day() }}
            and biz_date < {{ window_start("'-infinity'::date") }}
            and {{ touched_subject_filter(subject_type, subject_id, caliber) }}
    {%- endif -%}
{%- endmacro %}


{% macro keep_replaced_owner_days(owner_column='emp_id') -%}
    {#- keep_replaced_subject_days for a fact keyed by the owner (the subject 'EMP', assessment). -#}
    {{ keep_replaced_subject_days("'EMP'", owner_column, none) }}
{%- endmacro %}


{% macro delete_rebuilt_owner_days(owner_column='emp_id') -%}
    {#- delete_rebuilt_subject_days for a fact keyed by the owner (an employee or virtual manager,
        the subject 'EMP' in the assessment caliber). -#}
    {{ delete_rebuilt_subject_days("'EMP'", owner_column, none) }}
{%- endmacro %}


{% macro restated_account_days(relation) -%}
    {#- The account-days of `relation` the ownership build decided: every account on the window's
        days, and the restated accounts from their restatement date (through the account index, so a
        check of them does not read every account of the restated days). -#}
    select * from {{ relation }}
    where {{ window_filter('biz_date') }}
    union all
    select account_rows.*
    from {{ relation }} as account_rows
    inner join (
        select
            acct_type,
            acct_no,
            sub_acct_no,
            min(from_date) as from_date
        from {{ ref('int_ownership_restatements') }}
        where is_restated
        group by acct_type, acct_no, sub_acct_no
    ) as restated_accounts
        on
            account_rows.acct_type = restated_accounts.acct_type
            and account_rows.acct_no = restated_accounts.acct_no
            and account_rows.sub_acct_no = restated_accounts.sub_acct_no
    where
        account_rows.biz_date >= restated_accounts.from_date
        and account_rows.biz_date >= {{ first_restated_day() }}
        and account_rows.biz_date < {{ window_start("'-infinity'::date") }}
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


{% macro restated_days_filter(column) -%}
    {#- The days the ownership build decides for some account: the window's, and before it the days
        a restatement recomputes (from the earliest). -#}
    {{ column }} >= {{ first_restated_day() }}
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
            or (found_by = 'OWNERSHIP_RULE' and biz_date >= {{ first_restated_day() }})
    {%- endif -%}
{%- endmacro %}


{% macro changed_account_rows(relation, changed_rows) -%}
    {#- The rows of `relation` (a table keyed by biz_date and the account, e.g. int_account_days_accumulated
        or fct_account_ftp_daily) of the account-days in `changed_rows` (a CTE of restated_owner_rows()),
        through the table's key: an aggregate rebuilt by difference reads only the account-days a
        restatement changed before the window. A join on the distinct keys (the few changed account-days,
        so nested loops on the key are right); not a view like fct_account_daily, which PostgreSQL cannot
        reach by key from a join. -#}
    select account_rows.*
    from {{ relation }} as account_rows
    inner join (
        select distinct biz_date, acct_type, acct_no, sub_acct_no from {{ changed_rows }}
    ) as changed_days
        on
            account_rows.acct_type = changed_days.acct_type
            and account_rows.acct_no = changed_days.acct_no
            and account_rows.sub_acct_no = changed_days.sub_acct_no
            and account_rows.biz_date = changed_days.biz_date
    where
        account_rows.biz_date >= {{ first_rebuilt_day() }}
        and account_rows.biz_date < {{ window_start("'-infinity'::date") }}
{%- endmacro %}


{% macro owner_fact_subjects(owned_facts) -%}
    {#- Each row of `owned_facts` (an owner's part of an account-day: biz_date, emp_id, owner_org_id,
        booking_org_id, ...) once for each subject it counts to in the assessment caliber, with all its
        columns: the owner, and the owner's institution that day and those above it; and whether the
        account is booked outside that subject's territory (辖外: for an institution, outside its
        subtree; for a manager, at neither his institution nor one above it). Needs a CTE `ancestors`
        (bridge_institution_ancestor). mart_subject_measures_daily maps the window's owner rows, the
        restated ones (before and after) and the other accounts of their customers with it, so the
        three are counted to the same subjects. -#}
    select
        'EMP' as subject_type,
        {{ owned_facts }}.emp_id as subject_id,
        'ASSESSMENT' as caliber,
        {{ owned_facts }}.*,
        not exists (
            select 1
            from ancestors as own_line
            where
                own_line.org_id = {{ owned_facts }}.owner_org_id
                and own_line.ancestor_org_id = {{ owned_facts }}.booking_org_id
                and {{ owned_facts }}.biz_date >= own_line.valid_from
                and {{ owned_facts }}.biz_date <= coalesce(own_line.valid_to, 'infinity'::date)
        ) as is_out_of_territory
    from {{ owned_facts }}
    union all
    select
        'ORG' as subject_type,
        ancestors.ancestor_org_id as subject_id,
        'ASSESSMENT' as caliber,
        {{ owned_facts }}.*,
        not exists (
            select 1
            from ancestors as booking_line
            where
                booking_line.org_id = {{ owned_facts }}.booking_org_id
                and booking_line.ancestor_org_id = ancestors.ancestor_org_id
                and {{ owned_facts }}.biz_date >= booking_line.valid_from
                and {{ owned_facts }}.biz_date <= coalesce(booking_line.valid_to, 'infinity'::date)
        ) as is_out_of_territory
    from {{ owned_facts }}
    inner join ancestors
        on
            {{ owned_facts }}.owner_org_id = ancestors.org_id
            and {{ owned_facts }}.biz_date >= ancestors.valid_from
            and {{ owned_facts }}.biz_date <= coalesce(ancestors.valid_to, 'infinity'::date)
{%- endmacro %}


{% macro count_in_subtrees(entities, entity_columns, counts) -%}
    {#- Each entity of `entities` (distinct rows of biz_date, org_id and the `entity_columns`:
        an account or a customer at one of its institutions that day) counted once for each institution at
        or above one of its institutions that day, by `counts` (column: condition on the entity's columns).
        Rows of biz_date, org_id (the counting institution) and the counts, one per institution-day. An
        entity at one institution that day (almost all) is counted there and the counts are summed up the
        tree; only one at several is placed under every institution above each of them and made distinct
        there, so the cost follows the entities, not entities x the tree's depth (sorting every account
        once per institution above it was most of mart_subject_measures_daily's night at a million
        accounts). Needs a CTE `ancestors` (bridge_institution_ancestor). -#}
    {%- set keys = ['biz_date'] + entity_columns -%}
    with

    placed as (
        -- each entity at each of its institutions, with at how many it is that day (a window count: a
        -- join back from a per-entity aggregate was planned as a nested loop over every entity when the
        -- few entities at several institutions were estimated at one row)
        select
            {{ entities }}.*,
            count(*) over (partition by {{ keys | join(', ') }}) as org_count
        from {{ entities }}
    ),

    placed_counts as (
        -- the entities at one institution, counted there
        select
            biz_date,
            org_id,
            {%- for column, condition in counts.items() %}
                count(*) filter (where {{ condition }}) as {{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from placed
        where org_count = 1
        group by biz_date, org_id
    ),

    spread as (
        -- the entities at several, once under each institution above one of theirs
        select distinct
            {%- for column in keys %}
                placed.{{ column }},
            {%- endfor %}
            ancestors.ancestor_org_id as org_id
        from placed
        inner join ancestors
            on
                placed.org_id = ancestors.org_id
                and placed.biz_date >= ancestors.valid_from
                and placed.biz_date <= coalesce(ancestors.valid_to, 'infinity'::date)
        where placed.org_count > 1
    ),

    subtree_counts as (
        select
            placed_counts.biz_date,
            ancestors.ancestor_org_id as org_id,
            {%- for column in counts %}
                placed_counts.{{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from placed_counts
        inner join ancestors
            on
                placed_counts.org_id = ancestors.org_id
                and placed_counts.biz_date >= ancestors.valid_from
                and placed_counts.biz_date <= coalesce(ancestors.valid_to, 'infinity'::date)
        union all
        select
            biz_date,
            org_id,
            {%- for column, condition in counts.items() %}
                count(*) filter (where {{ condition }}) as {{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from spread
        group by biz_date, org_id
    )

    select
        biz_date,
        org_id,
        {%- for column in counts %}
            sum({{ column }}) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from subtree_counts
    group by biz_date, org_id
{%- endmacro %}


{% macro replace_changed_owner_rows(changed_keys, key_columns, nullable_columns=[]) -%}
    {#- Pre-hook of an aggregate over owners whose rows are finer than an owner-day (fct_manager_customer_daily:
        owner x customer), in place of keep_replaced_owner_days and delete_rebuilt_owner_days. Rebuilt by
        difference, it moves only the stored rows a restatement changes before the window (those whose key
        is among `changed_keys`, a select of `key_columns` + `nullable_columns`) into the temporary table
        `<model>__replaced`, for the model to insert again as stored + difference, and deletes the window's
        days: a touched owner's other rows stay as they are, so the cost is the change's, not the owner's
        portfolio over the restated span. Otherwise every touched owner's days from the first rebuilt day are
        deleted (delete_rebuilt_owner_days). Keys are matched with `=` (so the table's index serves) and the
        nullable columns null-safely. -#}
    {%- if rebuilt_by_difference() -%}
        {%- set matches -%}
            {%- for column in key_columns %}stored.{{ column }} = changed.{{ column }} and {% endfor -%}
            {%- for column in nullable_columns %}stored.{{ column }} is not distinct from changed.{{ column }} and {% endfor -%}
            true
        {%- endset -%}
        create temporary table "{{ this.identifier }}__changed_keys" on commit drop as {{ changed_keys }};
        analyze "{{ this.identifier }}__changed_keys";
        create temporary table "{{ this.identifier }}__replaced" on commit drop as
        select stored.*
        from {{ this }} as stored
        inner join "{{ this.identifier }}__changed_keys" as changed on {{ matches }}
        where
            stored.biz_date >= {{ first_rebuilt_day() }}
            and stored.biz_date < {{ window_start("'-infinity'::date") }};
        delete from {{ this }} as stored
        using "{{ this.identifier }}__replaced" as changed
        where {{ matches }};
        delete from {{ this }}
        where biz_date >= {{ window_start("'-infinity'::date") }}
    {%- else -%}
        {{ delete_rebuilt_owner_days() }}
    {%- endif -%}
{%- endmacro %}


{% macro restated_owner_customer_keys() -%}
    {#- The owner x customer days a restatement changes before the window (biz_date, emp_id, cust_id): the
        owners before and after of the changed account-days (restated_owner_rows()) with the account's
        customer that day, through the account-day history's key. The rows of fct_manager_customer_daily
        rebuilt by difference (replace_changed_owner_rows). -#}
    with changed_rows as (
        {{ restated_owner_rows() }}
    )
    select distinct changed_rows.biz_date, changed_rows.emp_id, account_rows.cust_id
    from changed_rows
    inner join (
        {{ changed_account_rows(ref('int_account_days_accumulated'), 'changed_rows') }}
    ) as account_rows
        on
            changed_rows.biz_date = account_rows.biz_date
            and changed_rows.acct_type = account_rows.acct_type
            and changed_rows.acct_no = account_rows.acct_no
            and changed_rows.sub_acct_no = account_rows.sub_acct_no
{%- endmacro %}


{% macro latest_relation_versions(versions, before=none) -%}
    {#- The rows of each account's latest version in `versions` (int_account_relations_applied),
        among the versions applied before the date expression `before` when given. -#}
    select {{ versions }}.*
    from {{ versions }}
    inner join (
        select
            acct_type,
            acct_no,
            sub_acct_no,
            max(applied_date) as applied_date
        from {{ versions }}
        {%- if before is not none %}
        where applied_date < {{ before }}
        {%- endif %}
        group by acct_type, acct_no, sub_acct_no
    ) as latest
        on
            {{ versions }}.acct_type = latest.acct_type
            and {{ versions }}.acct_no = latest.acct_no
            and {{ versions }}.sub_acct_no = latest.sub_acct_no
            and {{ versions }}.applied_date = latest.applied_date
{%- endmacro %}


{% macro is_restated_account(relation) -%}
    {#- Whether the account of `relation`'s row is one this build restates: a semi-join on the account key
        with the model's CTE `restated_starts` (one row per restated account), hashed whatever the
        estimates. fct_account_owner_daily splits its rows with it between the window path and the night
        path. -#}
    exists (
        select 1 from restated_starts
        where
            restated_starts.acct_type = {{ relation }}.acct_type
            and restated_starts.acct_no = {{ relation }}.acct_no
            and restated_starts.sub_acct_no = {{ relation }}.sub_acct_no
    )
{%- endmacro %}
