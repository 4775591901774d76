with

rediscount_incomes as (
    select * from {{ ref('stg_control__rediscount_incomes') }}
),

account_owners as (
    select * from {{ ref('fct_account_owner_daily') }}
),

accounts as (
    select * from {{ ref('dim_account') }}
),

income_months as (
    -- the day whose month cumulatives split the income: the month's last day, or the last day built
    -- when the month is still running
    select
        rediscount_incomes.*,
        least(
            {{ period_end('rediscount_incomes.month_start', 'month') }},
            {{ window_end(period_end('rediscount_incomes.month_start', 'month')) }}
        ) as split_date
    from rediscount_incomes
),

discount_owners as (
    -- the owners of the bill-discount loans opened at the sub-branch, by month cumulative balance
    select
        income_months.org_id,
        income_months.month_start,
        account_owners.emp_id,
        account_owners.owner_org_id,
        sum(account_owners.cum_alloc_balance_cny_m) as cum_alloc_balance_cny_m
    from income_months
    inner join account_owners
        on
            income_months.split_date = account_owners.biz_date
            and income_months.org_id = account_owners.open_org_id
            and account_owners.acct_type = 'LOAN'
    inner join accounts
        on
            account_owners.acct_type = accounts.acct_type
            and account_owners.acct_no = accounts.acct_no
            and account_owners.sub_acct_no = accounts.sub_acct_no
            and accounts.product_line = 'BILL_DISCOUNT'
    group by income_months.org_id, income_months.month_start, account_owners.emp_id, account_owners.owner_org_id
    having sum(account_owners.cum_alloc_balance_cny_m) > 0
),

income_owners as (
    -- no bill-discount balance that month: the sub-branch's virtual manager takes it
    select
        income_months.org_id,
        income_months.month_start,
        income_months.amount_cny,
        coalesce(discount_owners.emp_id, {{ virtual_manager_id('income_months.org_id') }}) as emp_id,
        coalesce(discount_owners.owner_org_id, income_months.org_id) as owner_org_id,
        coalesce(
            discount_owners.cum_alloc_balance_cny_m
            / sum(discount_owners.cum_alloc_balance_cny_m) over (
                partition by income_months.org_id, income_months.month_start
            ),
            1
        ) as discount_share
    from income_months
    left join discount_owners
        on
            income_months.org_id = discount_owners.org_id
            and income_months.month_start = discount_owners.month_start
),

final as (
    select
        -- key
        month_start::date as month_start,
        org_id::text as org_id,
        emp_id::text as emp_id,
        -- the owner
        owner_org_id::text as owner_org_id,
        discount_share::numeric(16, 12) as discount_share,
        -- CNY
        amount_cny::numeric(20, 2) as rediscount_income_cny,
        {{ allocate_exactly('amount_cny', 'discount_share', 'org_id, month_start', 'emp_id') }}::numeric(20, 2)
            as discount_profit_cny
    from income_owners
)

select * from final
