{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='biz_date',
        incremental_predicates=[window_filter('biz_date')],
        indexes=[{'columns': ['biz_date'], 'type': 'brin'}],
    )
}}

with

account_days as (
    select * from {{ ref('fct_account_daily') }}
    where {{ window_filter('biz_date') }}
),

gl_balances as (
    select * from {{ ref('int_gl_balances_modelled') }}
    where {{ window_filter('biz_date') }}
),

detail_balances as (
    -- the published account detail, summed the way the GL is kept
    select
        biz_date,
        org_id,
        subject_code,
        currency,
        sum(balance) as detail_balance,
        count(*) as account_count
    from account_days
    where is_present
    group by biz_date, org_id, subject_code, currency
),

compared as (
    select
        coalesce(detail_balances.biz_date, gl_balances.biz_date) as biz_date,
        coalesce(detail_balances.org_id, gl_balances.org_id) as org_id,
        coalesce(detail_balances.subject_code, gl_balances.subject_code) as subject_code,
        coalesce(detail_balances.currency, gl_balances.currency) as currency,
        detail_balances.detail_balance,
        gl_balances.gl_balance,
        coalesce(detail_balances.account_count, 0) as account_count
    from detail_balances
    full outer join gl_balances
        on
            detail_balances.biz_date = gl_balances.biz_date
            and detail_balances.org_id = gl_balances.org_id
            and detail_balances.subject_code = gl_balances.subject_code
            and detail_balances.currency = gl_balances.currency
),

final as (
    select
        biz_date::date as biz_date,
        org_id::text as org_id,
        subject_code::text as subject_code,
        currency::text as currency,
        coalesce(detail_balance, 0)::numeric(20, 2) as detail_balance,
        gl_balance::numeric(20, 2) as gl_balance,
        (coalesce(detail_balance, 0) - coalesce(gl_balance, 0))::numeric(20, 2) as difference,
        {{ var('recon_tolerance') }}::numeric(20, 2) as tolerance,
        (case
            when gl_balance is null and detail_balance <> 0 then 'MISSING_GL'
            when detail_balance is null and gl_balance <> 0 then 'MISSING_DETAIL'
            when abs(coalesce(detail_balance, 0) - coalesce(gl_balance, 0)) <= {{ var('recon_tolerance') }}
                then 'OK'
            else 'BREAK'
        end)::text as status,
        account_count::integer as account_count
    from compared
)

select * from final
