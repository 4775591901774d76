with

curve_points as (
    -- the curve version in force (the seed, or an imported ftp_curve from its date)
    select * from {{ ref('int_ftp_curve_points_versioned') }}
),

point_pairs as (
    select
        acct_type,
        currency,
        valid_from as effective_date,
        valid_to,
        term_months,
        ftp_rate,
        lead(term_months) over by_term as next_term_months,
        lead(ftp_rate) over by_term as next_ftp_rate,
        row_number() over by_term as point_number
    from curve_points
    window by_term as (partition by acct_type, currency, valid_from order by term_months)
),

segments as (
    -- below the shortest point: flat at it
    select
        acct_type,
        currency,
        effective_date,
        valid_to,
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
        valid_to,
        term_months::numeric as term_from_months,
        next_term_months::numeric as term_to_months,
        ftp_rate as rate_at_from,
        coalesce((next_ftp_rate - ftp_rate) / (next_term_months - term_months), 0) as rate_per_month
    from point_pairs
),

final as (
    select
        acct_type,
        currency,
        term_from_months,
        term_to_months,
        rate_at_from,
        rate_per_month,
        effective_date as valid_from,
        valid_to
    from segments
)

select * from final
