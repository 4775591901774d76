with recursive

institutions as (
    select * from {{ ref('dim_institution') }}
),

institution_versions as (
    select
        org_id,
        parent_org_id,
        valid_from,
        coalesce(valid_to, 'infinity'::date) as valid_through
    from institutions
),

ancestry as (
    -- depth 0: each institution is its own ancestor for as long as it exists
    -- (`depth` is a keyword to sqlfluff, but the bridge's agreed column name: RF04 waived)
    select
        org_id,
        org_id as ancestor_org_id,
        parent_org_id as next_org_id,
        0 as depth,  -- noqa: RF04
        valid_from,
        valid_through
    from institution_versions
    union all
    -- one level up: the parent's versions in force during the child's interval
    select
        ancestry.org_id,
        parents.org_id as ancestor_org_id,
        parents.parent_org_id as next_org_id,
        ancestry.depth + 1 as depth,  -- noqa: RF04
        greatest(ancestry.valid_from, parents.valid_from) as valid_from,
        least(ancestry.valid_through, parents.valid_through) as valid_through
    from ancestry
    inner join institution_versions as parents
        on
            ancestry.next_org_id = parents.org_id
            and ancestry.valid_through >= parents.valid_from
            and ancestry.valid_from <= parents.valid_through
    where ancestry.depth < 10
),

ancestry_islands as (
    -- a version change that keeps the same ancestor (a rename, say) must not split the row:
    -- find where a new run of contiguous days starts
    select
        *,
        case
            when
                lag(valid_through) over by_ancestor = valid_from - 1
                then 0
            else 1
        end as is_island_start
    from ancestry
    window by_ancestor as (partition by org_id, ancestor_org_id, depth order by valid_from)
),

ancestry_island_numbers as (
    select
        *,
        sum(is_island_start) over (
            partition by org_id, ancestor_org_id, depth order by valid_from rows unbounded preceding
        ) as island_number
    from ancestry_islands
),

ancestry_merged as (
    select
        org_id,
        ancestor_org_id,
        depth,
        min(valid_from) as valid_from,
        max(valid_through) as valid_through
    from ancestry_island_numbers
    group by org_id, ancestor_org_id, depth, island_number
),

final as (
    select
        org_id::text as org_id,
        ancestor_org_id::text as ancestor_org_id,
        depth::integer as depth,  -- noqa: RF04
        valid_from::date as valid_from,
        nullif(valid_through, 'infinity'::date)::date as valid_to
    from ancestry_merged
)

select * from final
