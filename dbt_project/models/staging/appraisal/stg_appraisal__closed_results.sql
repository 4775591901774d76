with

source as (
    select * from {{ source('appraisal', 'closed_results') }}
),

final as (
    select
        close_id,
        subject_type,
        subject_id,
        subject_name,
        parent_org_id,
        role_code,
        indicator_count,
        indicators_without_plan,
        indicator_score,
        manual_points,
        performance_score,
        ability_score,
        attitude_score,
        performance_weight_pct,
        ability_weight_pct,
        attitude_weight_pct,
        total_score,
        rank_in_bank,
        peers_in_bank,
        rank_in_institution,
        peers_in_institution,
        grade_method,
        grade_basis,
        computed_grade,
        grade,
        grade_status,
        grade_decision_reason
    from source
)

select * from final
