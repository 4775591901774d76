with

source as (
    select * from {{ source('appraisal', 'closed_indicator_values') }}
),

final as (
    select * from source
)

select * from final
