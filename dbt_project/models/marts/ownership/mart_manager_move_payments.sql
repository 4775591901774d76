{{ config(materialized='view', tags=['daily']) }}

with

agreed_payments as (
    select * from {{ ref('stg_control__manager_move_payments') }}
),

employees as (
    select * from {{ ref('dim_employee') }}
),

subject_measures as (
    select * from {{ ref('mart_subject_measures_daily') }}
    where subject_type = 'EMP'
),

moves as (
    -- the institution the day before the transfer and on its day
    select
        agreed_payments.*,
        old_versions.org_id as old_org_id,
        new_versions.org_id as new_org_id
    from agreed_payments
    left join employees as old_versions
        on
            agreed_payments.emp_id = old_versions.emp_id
            and agreed_payments.transfer_date - 1 >= old_versions.valid_from
            and agreed_payments.transfer_date - 1 <= coalesce(old_versions.valid_to, 'infinity'::date)
    left join employees as new_versions
        on
            agreed_payments.emp_id = new_versions.emp_id
            and agreed_payments.transfer_date >= new_versions.valid_from
            and agreed_payments.transfer_date <= coalesce(new_versions.valid_to, 'infinity'::date)
),

final as (
    select
        -- key
        moves.emp_id::text as emp_id,
        moves.transfer_date::date as transfer_date,
        -- who pays whom
        moves.old_org_id::text as payee_org_id,
        moves.new_org_id::text as payer_org_id,
        coalesce(moves.old_org_id <> moves.new_org_id, false)::boolean as is_transfer,
        -- the calculation (empty until the transfer day is built)
        subject_measures.no_credit_deposit_balance_cny_y::numeric(24, 2) as carried_no_credit_deposit_cny,
        moves.payment_rate_pct::numeric(9, 4) as payment_rate_pct,
        round(subject_measures.no_credit_deposit_balance_cny_y * moves.payment_rate_pct / 100, 2)::numeric(24, 2)
            as payment_cny,
        moves.note::text as note
    from moves
    left join subject_measures
        on
            moves.emp_id = subject_measures.subject_id
            and moves.transfer_date = subject_measures.biz_date
)

select * from final
