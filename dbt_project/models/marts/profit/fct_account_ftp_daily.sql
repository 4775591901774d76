{{
    config(
        materialized='incremental',
        incremental_strategy='partitioned_delete_insert',
        partition_by='biz_date',
        unique_key='biz_date',
        incremental_predicates=[window_filter('biz_date')],
        indexes=[{'columns': ['biz_date'], 'type': 'brin'}],
        pre_hook=[
            "{{ assert_window_follows('biz_date') }}",
            "{{ assert_window_is_latest('biz_date', same_year_only=true) }}",
        ],
        post_hook=["{{ analyze_partitioned() }}"],
    )
}}

{%- set periods = {'m': 'month', 'y': 'year'} %}
{#- the day amounts that also get month- and year-to-date sums: interest and profit exact (rules.md,
    Precision), the booked amounts (provision, accrued interest, interest income) to the fen #}
{%- set exact_columns = [
    'ftp_profit_cny', 'transfer_income_cny', 'transfer_expense_cny', 'economic_capital_cost_cny',
] %}
{%- set summed_columns = exact_columns + ['delta_impairment_cny', 'delta_accrued_unpaid_int_cny', 'int_income_cny'] %}
{#- A night (a one-day window) takes the day-on-day changes and the running sums from the day before by a
    join: the window functions below give the same for a one-day window, at the cost of sorting every
    account-day of the window and the day before (the doc decision_night_path) #}
{%- set one_day = is_one_day_window() %}
{%- set window_overlap = "valid_from <= " ~ window_end("'infinity'::date")
    ~ " and coalesce(valid_to, 'infinity'::date) >= " ~ window_start("'-infinity'::date") %}

with

account_days as (
    -- the window's account rows and those of the day before it (for the day-on-day changes): the
    -- columns priced and measured below only (the CTE is materialized: the view's other columns
    -- would be computed, stored and sorted for nothing)
    select
        biz_date,
        acct_type,
        acct_no,
        sub_acct_no,
        org_id,
        currency,
        product_line,
        loan_method,
        balance_cny,
        impairment_cny,
        accrued_unpaid_int_cny,
        int_income_cny,
        annual_rate,
        day_basis,
        risk_weight,
        open_date,
        maturity_date
    from {{ ref('fct_account_daily') }}
    where
        biz_date >= {{ window_start('biz_date') }} - 1
        and biz_date <= {{ window_end('biz_date') }}
),

ftp_prices as (
    select * from {{ ref('int_ftp_prices_in_force') }}
),

curve_segments as (
    -- the versions in force in the window (a night's cost does not grow with the curves' history)
    select * from {{ ref('int_ftp_curve_segments') }}
    where {{ window_overlap }}
),

adjustments as (
    select * from {{ ref('int_ftp_adjustments_versioned') }}
    where {{ window_overlap }}
),

institution_ancestors as (
    select * from {{ ref('bridge_institution_ancestor') }}
),

capital_policies as (
    select * from {{ ref('int_capital_policies_versioned') }}
    where {{ window_overlap }}
),

previous_rows as (
    select * from {{ this_or_empty() }}
),

account_changes as (
    -- each row with the account's row of the day before, if it had one (an account absent the day
    -- before counts 0: interface README); the first day read is the warehouse's first day unless
    -- it is the day before the window
    select
        *,
        lag(biz_date) over by_account = biz_date - 1 as has_previous_day,
        lag(impairment_cny) over by_account as previous_impairment_cny,
        lag(accrued_unpaid_int_cny) over by_account as previous_accrued_unpaid_int_cny,
        biz_date = min(biz_date) over () as is_history_start
    from account_days
    window by_account as (partition by acct_type, acct_no, sub_acct_no order by biz_date)
),

night_changes as (  -- noqa: ST03
    -- (window_accounts reads it when the window is one day: a night)
    -- the day's rows with the account's row of the day before, if it had one
    select
        day_rows.*,
        day_before.acct_no is not null as has_previous_day,
        day_before.impairment_cny as previous_impairment_cny,
        day_before.accrued_unpaid_int_cny as previous_accrued_unpaid_int_cny,
        not exists (
            select 1 from account_days as earlier_rows
            where earlier_rows.biz_date < {{ window_start("'-infinity'::date") }}
        ) as is_history_start
    from account_days as day_rows
    left join account_days as day_before
        on
            day_rows.acct_type = day_before.acct_type
            and day_rows.acct_no = day_before.acct_no
            and day_rows.sub_acct_no = day_before.sub_acct_no
            and day_rows.biz_date - 1 = day_before.biz_date
            and day_before.biz_date < {{ window_start("'-infinity'::date") }}
    where day_rows.biz_date >= {{ window_start("'-infinity'::date") }}
),

window_dates as (
    select distinct biz_date from account_days
    where biz_date >= {{ window_start("'-infinity'::date") }}
),

curve_days as (
    -- each window date's curve per side and currency, as arrays in term order: its segments (the
    -- one below the first point first) and the term points they start at, so an account finds its
    -- segment with width_bucket after an equality join (a range join on the terms would test every
    -- segment of its side for every account)
    select
        window_dates.biz_date,
        curve_segments.acct_type,
        curve_segments.currency,
        curve_segments.valid_from,
        array_agg(curve_segments.term_from_months order by curve_segments.term_from_months)
        filter (where curve_segments.term_from_months is not null) as term_points,
        array_agg(curve_segments.term_from_months order by curve_segments.term_from_months nulls first)
            as segment_terms_from,
        array_agg(curve_segments.rate_at_from order by curve_segments.term_from_months nulls first)
            as segment_rates_at_from,
        array_agg(curve_segments.rate_per_month order by curve_segments.term_from_months nulls first)
            as segment_rates_per_month
    from window_dates
    inner join curve_segments
        on
            window_dates.biz_date >= curve_segments.valid_from
            and window_dates.biz_date <= coalesce(curve_segments.valid_to, 'infinity'::date)
    group by window_dates.biz_date, curve_segments.acct_type, curve_segments.currency, curve_segments.valid_from
),

policy_days as (
    -- each window date's capital policy
    select
        window_dates.biz_date,
        capital_policies.capital_ratio_pct,
        capital_policies.hurdle_rate_pct,
        capital_policies.policy_source,
        capital_policies.valid_from
    from window_dates
    inner join capital_policies
        on
            window_dates.biz_date >= capital_policies.valid_from
            and window_dates.biz_date <= coalesce(capital_policies.valid_to, 'infinity'::date)
),

window_accounts as (
    -- the window's account rows with their curve rate and capital policy (joined here, on the window
    -- date, side and currency, so that the joins of the materialized rows with the prices below are
    -- planned on the account key alone: joined there, the rows came sorted by date and side, and at
    -- 20,000 accounts the prices were merged on that prefix, every account against every price)
    select
        account_rows.*,
        {{ remaining_term_months('account_rows.maturity_date', 'account_rows.biz_date') }} as remaining_term_months,
        {#- the segment the remaining term falls in: 1 below the first point, k + 1 from the k-th point #}
        {%- set term = remaining_term_months('account_rows.maturity_date', 'account_rows.biz_date') %}
        {%- set segment = 'width_bucket(' ~ term ~ ', curve_days.term_points) + 1' %}
        round(
            curve_days.segment_rates_at_from[{{ segment }}]
            + curve_days.segment_rates_per_month[{{ segment }}] * (
                {{ term }} - coalesce(curve_days.segment_terms_from[{{ segment }}], {{ term }})
            ),
            6
        ) as curve_rate,
        curve_days.valid_from as curve_effective_date,
        policy_days.capital_ratio_pct,
        policy_days.hurdle_rate_pct,
        policy_days.policy_source as capital_policy_source,
        policy_days.valid_from as capital_policy_date
    from {{ 'night_changes' if one_day else 'account_changes' }} as account_rows
    left join curve_days
        on
            account_rows.acct_type = curve_days.acct_type
            and account_rows.currency = curve_days.currency
            and account_rows.biz_date = curve_days.biz_date
    left join policy_days
        on account_rows.biz_date = policy_days.biz_date
    where account_rows.biz_date >= {{ window_start("'-infinity'::date") }}
),

adjustments_by_institution as (
    -- each adjustment spread to the institutions below the one that set it, for the days both the
    -- adjustment and that place in the tree hold
    select
        institution_ancestors.org_id,
        adjustments.org_id as adjustment_org_id,
        institution_ancestors.depth as adjustment_depth,
        adjustments.acct_type,
        adjustments.product_line,
        adjustments.adjustment_bps,
        adjustments.valid_from as adjustment_effective_date,
        greatest(adjustments.valid_from, institution_ancestors.valid_from) as valid_from,
        least(
            coalesce(adjustments.valid_to, 'infinity'::date),
            coalesce(institution_ancestors.valid_to, 'infinity'::date)
        ) as valid_through
    from adjustments
    inner join institution_ancestors
        on adjustments.org_id = institution_ancestors.ancestor_org_id
),

applicable_adjustments as (
    -- the nearest institution's adjustment, a product line's before ALL
    select distinct on (
        window_accounts.acct_type, window_accounts.acct_no, window_accounts.sub_acct_no, window_accounts.biz_date
    )
        window_accounts.acct_type,
        window_accounts.acct_no,
        window_accounts.sub_acct_no,
        window_accounts.biz_date,
        adjustments_by_institution.adjustment_bps,
        adjustments_by_institution.adjustment_org_id,
        adjustments_by_institution.adjustment_effective_date
    from window_accounts
    inner join adjustments_by_institution
        on
            window_accounts.org_id = adjustments_by_institution.org_id
            and window_accounts.acct_type = adjustments_by_institution.acct_type
            and adjustments_by_institution.product_line in (window_accounts.product_line, 'ALL')
            and window_accounts.biz_date between adjustments_by_institution.valid_from
            and adjustments_by_institution.valid_through
    order by
        window_accounts.acct_type,
        window_accounts.acct_no,
        window_accounts.sub_acct_no,
        window_accounts.biz_date,
        adjustments_by_institution.adjustment_depth,
        adjustments_by_institution.product_line = 'ALL'
),

priced_accounts as (
    -- the account's FTP price in force (its sub-account's, else one given for the whole account),
    -- else the curve of its side and currency at its remaining term; plus the branch adjustment
    select
        window_accounts.*,
        coalesce(sub_account_prices.ftp_rate, account_prices.ftp_rate) as feed_ftp_rate,
        coalesce(sub_account_prices.effective_date, account_prices.effective_date) as feed_effective_date,
        coalesce(applicable_adjustments.adjustment_bps, 0) as adjustment_bps,
        applicable_adjustments.adjustment_org_id,
        applicable_adjustments.adjustment_effective_date
    from window_accounts
    left join ftp_prices as sub_account_prices
        on
            window_accounts.acct_type = sub_account_prices.acct_type
            and window_accounts.acct_no = sub_account_prices.acct_no
            and window_accounts.sub_acct_no = sub_account_prices.sub_acct_no
            and window_accounts.biz_date = sub_account_prices.biz_date
    left join ftp_prices as account_prices
        on
            window_accounts.acct_type = account_prices.acct_type
            and window_accounts.acct_no = account_prices.acct_no
            and account_prices.sub_acct_no is null
            and window_accounts.biz_date = account_prices.biz_date
    left join applicable_adjustments
        on
            window_accounts.acct_type = applicable_adjustments.acct_type
            and window_accounts.acct_no = applicable_adjustments.acct_no
            and window_accounts.sub_acct_no = applicable_adjustments.sub_acct_no
            and window_accounts.biz_date = applicable_adjustments.biz_date
),

day_measures as (
    select
        *,
        -- a bill discount (loan_method D) is not transfer-priced: its interest goes to head office in
        -- full (rules.md, spec 1.1.3), so it is priced at its own rate and earns no FTP profit
        case
            when loan_method = 'D' then 'DISCOUNT'
            when feed_ftp_rate is not null then 'FEED'
            when curve_rate is not null then 'CURVE'
        end as price_source,
        case
            when loan_method = 'D' then annual_rate
            else coalesce(feed_ftp_rate, curve_rate) + adjustment_bps / 100.0
        end as ftp_rate,
        -- Δ from the day before (0 when the account had no row then); on the warehouse's first day
        -- 0, except for a loan opened that day
        case
            when acct_type <> 'LOAN' then null
            when has_previous_day then impairment_cny - previous_impairment_cny
            when is_history_start and open_date = biz_date then impairment_cny
            when is_history_start then 0
            else impairment_cny
        end as delta_impairment_cny,
        case
            when acct_type <> 'LOAN' then null
            when has_previous_day then accrued_unpaid_int_cny - previous_accrued_unpaid_int_cny
            when is_history_start and open_date = biz_date then accrued_unpaid_int_cny
            when is_history_start then 0
            else accrued_unpaid_int_cny
        end as delta_accrued_unpaid_int_cny
    from priced_accounts
),

day_profits as (
    select
        *,
        case acct_type
            when 'DEP' then {{ interest_margin('balance_cny', 'ftp_rate', 'annual_rate', 'day_basis') }}
            when 'LOAN' then {{ interest_margin('balance_cny', 'annual_rate', 'ftp_rate', 'day_basis') }}
        end as interest_margin_cny,
        case
            when acct_type = 'DEP' then {{ interest_margin('balance_cny', 'ftp_rate', '0', 'day_basis') }}
            else 0
        end as transfer_income_cny,
        case
            when acct_type = 'LOAN' then {{ interest_margin('balance_cny', 'ftp_rate', '0', 'day_basis') }}
            else 0
        end as transfer_expense_cny,
        case
            when acct_type = 'LOAN' and loan_method = 'D' then 0
            when acct_type = 'LOAN'
                then {{ economic_capital_cost('balance_cny', 'risk_weight', 'capital_ratio_pct', 'hurdle_rate_pct') }}
        end as economic_capital_cost_cny
    from day_measures
),

profits as (
    select
        *,
        case
            when acct_type = 'DEP' then interest_margin_cny
            -- discount business counts only through discount profit (fct_discount_profit_monthly)
            when loan_method = 'D' then 0
            else
                interest_margin_cny - delta_impairment_cny - delta_accrued_unpaid_int_cny
                - economic_capital_cost_cny
        end as ftp_profit_cny
    from day_profits
),

carried_rows as (
    -- this table's rows of the day before the window: the running sums so far
    select previous_rows.*
    from previous_rows
    where previous_rows.biz_date = {{ window_start("'-infinity'::date") }} - 1
),

contributions as (
    -- what each row adds to the running sums: a window day its amount, the carried-in row its sums
    select
        acct_type,
        acct_no,
        sub_acct_no,
        biz_date,
        {%- for column in summed_columns %}
            {%- for suffix in periods %}
                {{ column }} as added_{{ column }}_{{ suffix }},
            {%- endfor %}
        {%- endfor %}
        false as is_carried_in
    from profits
    union all
    select
        acct_type,
        acct_no,
        sub_acct_no,
        biz_date,
        {%- for column in summed_columns %}
            {%- for suffix in periods %}
                {{ column }}_{{ suffix }},
            {%- endfor %}
        {%- endfor %}
        true as is_carried_in
    from carried_rows
),

running_sums as (
    select
        acct_type,
        acct_no,
        sub_acct_no,
        biz_date,
        {%- for column in summed_columns %}
            {%- for suffix in periods %}
                {{ sum_unless_null('added_' ~ column ~ '_' ~ suffix, 'by_account_' ~ suffix) }}
                    as {{ column }}_{{ suffix }},
            {%- endfor %}
        {%- endfor %}
        is_carried_in
    from contributions
    window
        by_account_m as (
            partition by acct_type, acct_no, sub_acct_no, {{ period_start('biz_date', 'month') }}
            order by biz_date
        ),
        by_account_y as (
            partition by acct_type, acct_no, sub_acct_no, {{ period_start('biz_date', 'year') }}
            order by biz_date
        )
),

window_sums as (  -- noqa: ST03
    -- (final reads it when the window is longer than a day) each window row with its running sums
    select
        profits.*,
        {%- set window_sum_columns = [] %}
        {%- for column in summed_columns %}
            {%- for suffix in periods %}
                {%- do window_sum_columns.append('sums.' ~ column ~ '_' ~ suffix) %}
            {%- endfor %}
        {%- endfor %}
        {{ window_sum_columns | join(',\n        ') }}
    from profits
    inner join running_sums as sums
        on
            profits.acct_type = sums.acct_type
            and profits.acct_no = sums.acct_no
            and profits.sub_acct_no = sums.sub_acct_no
            and profits.biz_date = sums.biz_date
            and not sums.is_carried_in
),

night_sums as (  -- noqa: ST03
    -- (final reads it when the window is one day: a night)
    -- each row with the day's amounts added to the running sums of the day before
    -- (carried_running_sum)
    select
        profits.*,
        {%- set night_sum_columns = [] %}
        {%- for column in summed_columns %}
            {%- for suffix, period in periods.items() %}
                {%- do night_sum_columns.append(
                    carried_running_sum('carried_rows', column ~ '_' ~ suffix, 'profits.' ~ column, period)
                    ~ ' as ' ~ column ~ '_' ~ suffix
                ) %}
            {%- endfor %}
        {%- endfor %}
        {{ night_sum_columns | join(',\n        ') }}
    from profits
    left join carried_rows
        on
            profits.acct_type = carried_rows.acct_type
            and profits.acct_no = carried_rows.acct_no
            and profits.sub_acct_no = carried_rows.sub_acct_no
),

final as (
    select
        -- key
        summed.biz_date::date as biz_date,
        summed.acct_type::text as acct_type,
        summed.acct_no::text as acct_no,
        summed.sub_acct_no::text as sub_acct_no,
        -- the transfer price and where it came from (what it depends on, the account's attributes
        -- and balances of the day, are fct_account_daily's: fct_account_profit_daily shows them
        -- beside these columns)
        summed.price_source::text as price_source,
        summed.feed_ftp_rate::numeric(14, 6) as feed_ftp_rate,
        summed.feed_effective_date::date as feed_effective_date,
        summed.curve_rate::numeric(14, 6) as curve_rate,
        summed.curve_effective_date::date as curve_effective_date,
        summed.adjustment_bps::numeric(10, 2) as adjustment_bps,
        summed.adjustment_org_id::text as adjustment_org_id,
        summed.adjustment_effective_date::date as adjustment_effective_date,
        summed.ftp_rate::numeric(14, 6) as ftp_rate,
        -- the day's measures, CNY
        summed.interest_margin_cny::{{ exact_money() }} as interest_margin_cny,
        summed.transfer_income_cny::{{ exact_money() }} as transfer_income_cny,
        summed.transfer_expense_cny::{{ exact_money() }} as transfer_expense_cny,
        summed.delta_impairment_cny::numeric(20, 2) as delta_impairment_cny,
        summed.delta_accrued_unpaid_int_cny::numeric(20, 2) as delta_accrued_unpaid_int_cny,
        summed.capital_ratio_pct::numeric(9, 6) as capital_ratio_pct,
        summed.hurdle_rate_pct::numeric(9, 6) as hurdle_rate_pct,
        summed.capital_policy_source::text as capital_policy_source,
        summed.capital_policy_date::date as capital_policy_date,
        summed.economic_capital_cost_cny::{{ exact_money() }} as economic_capital_cost_cny,
        summed.ftp_profit_cny::{{ exact_money() }} as ftp_profit_cny,
        -- month- and year-to-date sums
        {%- set sum_columns = [] %}
        {%- for column in summed_columns %}
            {%- for suffix in periods %}
                {%- set money_type = exact_money() if column in exact_columns else 'numeric(24, 2)' %}
                {%- do sum_columns.append(
                    'summed.' ~ column ~ '_' ~ suffix ~ '::' ~ money_type ~ ' as ' ~ column ~ '_' ~ suffix
                ) %}
            {%- endfor %}
        {%- endfor %}
        {{ sum_columns | join(',\n        ') }}
    from {{ 'night_sums' if one_day else 'window_sums' }} as summed
)

select * from final
