with

source as (
    select * from {{ source('core', 'cust') }}
),

final as (
    select
        -- ids
        {{ clean_text('cust_id') }} as cust_id,
        {{ clean_text('open_org_id') }} as open_org_id,
        -- names and codes
        {{ clean_text('cust_name') }} as cust_name,
        {{ clean_text('cust_type') }} as cust_type,
        case {{ clean_text('cust_type') }}
            when 'P' then 'personal'
            when 'C' then 'corporate'
            when 'I' then 'interbank'
        end as customer_segment,
        {{ clean_text('industry_code') }} as industry_code,
        small_ent_flag as is_small_enterprise,
        -- personal data
        {{ clean_text('cert_no') }} as cert_no,
        {{ clean_text('phone') }} as phone,
        {{ clean_text('address') }} as address,
        -- dates
        biz_date,
        load_id
    from source
)

select * from final
