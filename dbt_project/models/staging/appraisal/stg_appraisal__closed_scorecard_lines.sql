with

source as (
    select * from {{ source('appraisal', 'closed_scorecard_lines') }}
),

final as (
    select
        close_id,
        subject_type,
        subject_id,
        indicator_code,
        subject_name,
        parent_org_id,
        role_code,
        evaluated_subject,
        caliber,
        value,
        plan_value,
        completion_pct,
        weight_pct,
        floor_pct,
        cap_pct,
        score_pct,
        weighted_score
    from source
)

select * from final
