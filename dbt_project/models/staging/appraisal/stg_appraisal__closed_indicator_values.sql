with

source as (
    select * from {{ source('appraisal', 'closed_indicator_values') }}
),

final as (
    select
        close_id,
        subject_type,
        subject_id,
        caliber,
        indicator_code,
        subject_name,
        parent_org_id,
        value,
        plan_value,
        completion_pct,
        plan_period
    from source
)

select * from final
