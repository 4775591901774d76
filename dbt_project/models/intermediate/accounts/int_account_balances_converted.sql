{#- Ephemeral: compiled into the model that reads it, with that run's window on each of its inputs
    (customers and FX are joined with LEFT JOINs, through which PostgreSQL does not carry a date
    range from the accounts to them). -#}

with

deposit_accounts as (
    select * from {{ ref('stg_core__deposit_accounts') }}
    where {{ window_filter('biz_date') }}
),

loan_accounts as (
    select * from {{ ref('stg_core__loan_accounts') }}
    where {{ window_filter('biz_date') }}
),

currencies as (
    select * from {{ ref('stg_core__currencies') }}
    where {{ window_filter('biz_date') }}
),

customers as (
    select * from {{ ref('stg_core__customers') }}
    where {{ window_filter('biz_date') }}
),

subject_products as (
    select * from {{ ref('subject_products') }}
),

term_codes as (
    select * from {{ ref('term_codes') }}
),

accounts_unioned as (
    select
        'DEP' as acct_type,
        acct_no,
        sub_acct_no,
        org_id,
        cust_id,
        mgr_emp_id,
        null::text as contract_no,
        acct_name,
        currency,
        subject_code,
        acct_status,
        term_code,
        deposit_class,
        null::text as loan_method,
        null::integer as five_class,
        is_pledged,
        null::boolean as is_small_enterprise,
        balance,
        null::numeric(20, 2) as impairment,
        null::numeric(20, 2) as accrued_unpaid_int,
        null::numeric(20, 2) as int_income,
        annual_rate,
        null::numeric(9, 2) as risk_weight,
        open_date,
        value_date,
        maturity_date,
        close_date,
        biz_date
    from deposit_accounts
    union all
    select
        'LOAN' as acct_type,
        acct_no,
        sub_acct_no,
        org_id,
        cust_id,
        mgr_emp_id,
        contract_no,
        acct_name,
        currency,
        subject_code,
        acct_status,
        term_code,
        null::text as deposit_class,
        loan_method,
        five_class,
        null::boolean as is_pledged,
        is_small_enterprise,
        balance,
        impairment,
        accrued_unpaid_int,
        int_income,
        annual_rate,
        risk_weight,
        open_date,
        value_date,
        maturity_date,
        close_date,
        biz_date
    from loan_accounts
),

accounts_classified as (
    select
        accounts_unioned.*,
        subject_products.product_line,
        coalesce(subject_products.customer_segment, customers.customer_segment) as customer_segment,
        coalesce(accounts_unioned.is_small_enterprise, customers.is_small_enterprise) as is_small_enterprise_any,
        term_codes.term_months
    from accounts_unioned
    left join subject_products
        on accounts_unioned.subject_code = subject_products.subject_code
    left join customers
        on
            accounts_unioned.cust_id = customers.cust_id
            and accounts_unioned.biz_date = customers.biz_date
    left join term_codes
        on accounts_unioned.term_code = term_codes.term_code
),

accounts_with_fx as (
    select
        accounts_classified.*,
        currencies.cny_rate,
        case accounts_classified.acct_type
            when 'DEP' then currencies.dep_day_basis
            when 'LOAN' then currencies.loan_day_basis
        end as day_basis
    from accounts_classified
    left join currencies
        on
            accounts_classified.currency = currencies.currency
            and accounts_classified.biz_date = currencies.biz_date
),

final as (
    select
        -- ids
        acct_type,
        acct_no,
        sub_acct_no,
        org_id,
        cust_id,
        mgr_emp_id,
        contract_no,
        -- names and codes
        acct_name,
        currency,
        subject_code,
        product_line,
        customer_segment,
        deposit_class,
        acct_type = 'LOAN' as is_loan,
        term_code,
        term_months,
        acct_status,
        loan_method,
        five_class,
        coalesce(five_class in (3, 4, 5), false) as is_npl,
        is_pledged,
        is_small_enterprise_any as is_small_enterprise,
        -- amounts, in the account's currency and in CNY at the day's rate (null when FX is missing)
        balance,
        {{ to_cny('balance', 'cny_rate') }} as balance_cny,
        impairment,
        {{ to_cny('impairment', 'cny_rate') }} as impairment_cny,
        accrued_unpaid_int,
        {{ to_cny('accrued_unpaid_int', 'cny_rate') }} as accrued_unpaid_int_cny,
        int_income,
        {{ to_cny('int_income', 'cny_rate') }} as int_income_cny,
        -- rates
        cny_rate,
        annual_rate,
        day_basis,
        {{ daily_rate('annual_rate', 'day_basis') }} as daily_rate,
        risk_weight,
        -- dates
        open_date,
        value_date,
        maturity_date,
        close_date,
        biz_date
    from accounts_with_fx
)

select * from final
