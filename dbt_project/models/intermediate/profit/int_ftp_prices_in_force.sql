{{ config(tags=['daily']) }}

with

ftp_prices as (
    select * from {{ ref('stg_core__ftp_prices') }}
    where {{ window_filter('biz_date') }}
),

final as (
    -- the FTP snapshot of D holds head office's price per account from its effective date on; a
    -- price dated after D is not yet in force that day
    select
        acct_type,
        acct_no,
        sub_acct_no,
        ftp_rate,
        effective_date,
        biz_date
    from ftp_prices
    where effective_date <= biz_date
)

select * from final
