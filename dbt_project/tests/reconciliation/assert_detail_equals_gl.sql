-- Interface README (GL): for every deposit and loan subject, the sum of account balances per
-- institution, subject and currency must equal the GL balance. Blocking: fails with every line
-- of the window that does not tie (the run stops; rpt_gl_reconciliation keeps the lines).
with

reconciliation_lines as (
    select * from {{ ref('rpt_gl_reconciliation') }}
    where {{ window_filter('biz_date') }}
),

breaks as (
    select
        biz_date,
        org_id,
        subject_code,
        currency,
        detail_balance,
        gl_balance,
        difference,
        status
    from reconciliation_lines
    where status <> 'OK'
)

select * from breaks
