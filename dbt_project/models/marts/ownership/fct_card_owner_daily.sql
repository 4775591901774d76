{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        indexes=[{'columns': ['biz_date'], 'type': 'brin'}],
        pre_hook=[
            "{{ assert_window_is_latest('biz_date') }}",
            "{{ delete_from_window_start('biz_date') }}",
        ],
        post_hook=["analyze {{ this }}"],
    )
}}

{#- rules.md, Cards: REL (CARD) > the card's emp_id > the linked account's owners > the virtual
    manager of the card's institution; a management override (acct_type CARD) comes first, as for
    accounts. Each owner row also carries the card's counts of the day split by its share (what
    fct_card_allocations_daily shows), kept here rather than in a table of their own. -#}
{%- set counted_flags = [
    'is_issued_today', 'is_activated_today', 'is_cancelled_today', 'is_issued_m', 'is_issued_y',
    'is_activated_m', 'is_activated_y', 'is_effective_new_m', 'is_effective_new_y',
] %}

with

cards as (
    select * from {{ ref('int_cards_linked') }}
),

overrides as (
    select * from {{ ref('stg_control__ownership_overrides') }}
),

relations as (
    select * from {{ ref('stg_core__ownership_relations') }}
),

employees as (
    select * from {{ ref('dim_employee') }}
),

account_owners as (
    -- the window's deposit owner rows (the cards' linked accounts are deposits)
    select * from {{ ref('fct_account_owner_daily') }}
    where {{ window_filter('biz_date') }} and acct_type = 'DEP'
),

card_days as (
    -- the cards' flags of the day (fct_card_daily)
    select * from {{ ref('fct_card_daily') }}
    where {{ window_filter('biz_date') }}
),

active_employees as (
    select
        emp_id,
        org_id,
        valid_from,
        coalesce(valid_to, 'infinity'::date) as valid_through
    from employees
    where status = 'A'
),

override_owners as (
    select
        cards.biz_date,
        cards.card_no,
        overrides.emp_id,
        overrides.share_pct,
        'OVERRIDE' as source,
        overrides.effective_date
    from cards
    inner join overrides
        on
            overrides.acct_type = 'CARD'
            and cards.card_no = overrides.acct_no
            and cards.biz_date >= overrides.effective_date
            and cards.biz_date <= coalesce(overrides.end_date, 'infinity'::date)
),

latest_override_owners as (
    select override_owners.*
    from override_owners
    where override_owners.effective_date = (
        select max(latest.effective_date) from override_owners as latest
        where latest.card_no = override_owners.card_no and latest.biz_date = override_owners.biz_date
    )
),

relation_owners as (
    select
        cards.biz_date,
        cards.card_no,
        cards.card_org_id,
        relations.emp_id,
        relations.share_pct,
        sum(relations.share_pct) over (partition by cards.biz_date, cards.card_no) as total_share_pct
    from cards
    inner join relations
        on
            relations.acct_type = 'CARD'
            and cards.card_no = relations.acct_no
            and relations.biz_date = {{ window_end('(select max(latest.biz_date) from relations as latest)') }}
            and cards.biz_date >= relations.start_date
            and cards.biz_date <= coalesce(relations.end_date, 'infinity'::date)
),

valid_relation_owners as (
    select
        biz_date,
        card_no,
        emp_id,
        share_pct,
        'REL' as source
    from relation_owners
    where total_share_pct <= 100
    union all
    select distinct
        biz_date,
        card_no,
        {{ virtual_manager_id('card_org_id') }} as emp_id,
        100 - total_share_pct as share_pct,
        'REL_REMAINDER' as source
    from relation_owners
    where total_share_pct < 100
),

{# A night's rows are all of its one day, so its join needs no date: with it PostgreSQL, which counts
    the date's selectivity over every date of the owner fact, estimated these rows at one and looped. #}
linked_account_owners as (
    select
        cards.biz_date,
        cards.card_no,
        account_owners.emp_id,
        sum(account_owners.share) * 100 as share_pct,
        'LINKED_ACCOUNT' as source
    from cards
    inner join account_owners
        on
            account_owners.acct_type = 'DEP'
            and cards.acct_no = account_owners.acct_no
            and cards.linked_sub_acct_no = account_owners.sub_acct_no
            {% if not is_one_day_window() -%}
                and cards.biz_date = account_owners.biz_date
            {%- endif %}
    where account_owners.share <> 0
    group by cards.biz_date, cards.card_no, account_owners.emp_id
),

decided as (
    select
        cards.biz_date,
        cards.card_no,
        cards.card_org_id,
        case
            when exists (
                select 1 from latest_override_owners
                where
                    latest_override_owners.card_no = cards.card_no and latest_override_owners.biz_date = cards.biz_date
            ) then 'OVERRIDE'
            when exists (
                select 1 from valid_relation_owners
                where valid_relation_owners.card_no = cards.card_no and valid_relation_owners.biz_date = cards.biz_date
            ) then 'REL'
            when active_employees.emp_id is not null then 'CARD_EMPLOYEE'
            when exists (
                select 1 from linked_account_owners
                where linked_account_owners.card_no = cards.card_no and linked_account_owners.biz_date = cards.biz_date
            ) then 'LINKED_ACCOUNT'
            else 'VIRTUAL'
        end as decided_by,
        active_employees.emp_id as card_emp_id
    from cards
    left join active_employees
        on
            cards.emp_id = active_employees.emp_id
            and cards.biz_date >= active_employees.valid_from
            and cards.biz_date <= active_employees.valid_through
),

owners as (
    select
        decided.biz_date,
        decided.card_no,
        decided.card_org_id,
        latest_override_owners.emp_id,
        latest_override_owners.share_pct,
        latest_override_owners.source
    from decided
    inner join latest_override_owners
        on decided.card_no = latest_override_owners.card_no and decided.biz_date = latest_override_owners.biz_date
    where decided.decided_by = 'OVERRIDE'
    union all
    select
        decided.biz_date,
        decided.card_no,
        decided.card_org_id,
        valid_relation_owners.emp_id,
        valid_relation_owners.share_pct,
        valid_relation_owners.source
    from decided
    inner join valid_relation_owners
        on decided.card_no = valid_relation_owners.card_no and decided.biz_date = valid_relation_owners.biz_date
    where decided.decided_by = 'REL'
    union all
    select
        decided.biz_date,
        decided.card_no,
        decided.card_org_id,
        linked_account_owners.emp_id,
        linked_account_owners.share_pct,
        linked_account_owners.source
    from decided
    inner join linked_account_owners
        on decided.card_no = linked_account_owners.card_no and decided.biz_date = linked_account_owners.biz_date
    where decided.decided_by = 'LINKED_ACCOUNT'
    union all
    select
        biz_date,
        card_no,
        card_org_id,
        case decided_by
            when 'CARD_EMPLOYEE' then card_emp_id
            else {{ virtual_manager_id('card_org_id') }}
        end as emp_id,
        100 as share_pct,
        decided_by as source
    from decided
    where decided_by in ('CARD_EMPLOYEE', 'VIRTUAL')
),

ranked as (
    select
        *,
        round(share_pct / 100, 12) as rounded_share,
        row_number() over (partition by biz_date, card_no order by share_pct desc, emp_id asc) as share_rank
    from owners
),

exact_shares as (
    select
        *,
        case
            when share_rank = 1 then 1 - (sum(rounded_share) over (partition by biz_date, card_no) - rounded_share)
            else rounded_share
        end as share
    from ranked
),

final as (
    select
        exact_shares.biz_date::date as biz_date,
        exact_shares.card_no::text as card_no,
        exact_shares.emp_id::text as emp_id,
        exact_shares.share::numeric(16, 12) as share,
        exact_shares.source::text as source,
        coalesce(employees.org_id, exact_shares.card_org_id)::text as owner_org_id,
        exact_shares.card_org_id::text as card_org_id,
        -- the card's counts, split by the share (Σ over a card-day's owners = the card's 0 or 1)
        {%- for flag in counted_flags %}
            (case when card_days.{{ flag }} then exact_shares.share else 0 end)::numeric(16, 12)
                as {{ flag | replace('is_', '', 1) }}_count{% if not loop.last %},{% endif %}
        {%- endfor %}
    from exact_shares
    left join employees
        on
            exact_shares.emp_id = employees.emp_id
            and exact_shares.biz_date >= employees.valid_from
            and exact_shares.biz_date <= coalesce(employees.valid_to, 'infinity'::date)
    left join card_days
        on
            exact_shares.biz_date = card_days.biz_date
            and exact_shares.card_no = card_days.card_no
)

select * from final
