with

curve_points as (
    select * from {{ ref('ftp_curve') }}
),

curve_dates as (
    select distinct
        acct_type,
        currency,
        effective_date
    from curve_points
),

curve_versions as (
    -- a curve (one side and currency) applies from its date until the next curve of the same
    -- side and currency
    select
        acct_type,
        currency,
        effective_date,
        lead(effective_date) over (partition by acct_type, currency order by effective_date) - 1 as valid_to
    from curve_dates
),

point_pairs as (
    select
        acct_type,
        currency,
        effective_date,
        term_months,
        ftp_rate,
        lead(term_months) over by_term as next_term_months,
        lead(ftp_rate) over by_term as next_ftp_rate,
        row_number() over by_term as point_number
    from curve_points
    window by_term as (partition by acct_type, currency, effective_date order by term_months)
),

segments as (
    -- below the shortest point: flat at it
    select
        acct_type,
        currency,
        effective_date,
        null::numeric as term_from_months,
        term_months::numeric as term_to_months,
        ftp_rate as rate_at_from,
        0::numeric as rate_per_month
    from point_pairs
    where point_number = 1
    union all
    -- from each point to the next: linear; from the last point on: flat
    select
        acct_type,
        currency,
        effective_date,
        term_months::numeric as term_from_months,
        next_term_months::numeric as term_to_months,
        ftp_rate as rate_at_from,
        coalesce((next_ftp_rate - ftp_rate) / (next_term_months - term_months), 0) as rate_per_month
    from point_pairs
),

final as (
    select
        segments.acct_type,
        segments.currency,
        segments.term_from_months,
        segments.term_to_months,
        segments.rate_at_from,
        segments.rate_per_month,
        segments.effective_date as valid_from,
        curve_versions.valid_to
    from segments
    inner join curve_versions
        on
            segments.acct_type = curve_versions.acct_type
            and segments.currency = curve_versions.currency
            and segments.effective_date = curve_versions.effective_date
)

select * from final
