with

source as (
    select * from {{ source('appraisal', 'closed_scorecard_lines') }}
),

final as (
    select * from source
)

select * from final
