with

source as (
    select * from {{ source('appraisal', 'closed_results') }}
),

final as (
    select * from source
)

select * from final
