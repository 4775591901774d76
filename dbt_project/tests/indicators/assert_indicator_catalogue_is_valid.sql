-- The catalogue is data, so it is checked as data: a BASE row names a measure and statistic the
-- measure marts have (macro indicator_measures) and, for balances, an account type; SUM and RATIO
-- rows combine daily BASE indicators (two for a ratio). Rows: the catalogue rows that break this.
{%- set pairs = [] %}
{%- for measure, spec in indicator_measures().items() %}
    {%- for statistic in spec.statistics %}
        {%- do pairs.append("('" ~ measure ~ "', '" ~ statistic ~ "')") %}
    {%- endfor %}
{%- endfor %}
with

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

known_statistics as (
    select *
    from (values {{ pairs | join(', ') }}) as known_pairs (measure, statistic)
),

base_codes as (
    -- what SUM and RATIO may combine: daily BASE indicators (not month statements)
    select indicator_code from catalogue
    where shape = 'BASE' and measure in {{ daily_measures() }}
)

select
    catalogue.indicator_code,
    catalogue.shape,
    catalogue.measure,
    catalogue.statistic,
    catalogue.components
from catalogue
where
    (
        catalogue.shape = 'BASE'
        and (
            not exists (
                select 1
                from known_statistics
                where
                    known_statistics.measure = catalogue.measure
                    and known_statistics.statistic = catalogue.statistic
            )
            or (catalogue.measure = 'BALANCE' and catalogue.acct_type is null)
            or catalogue.components is not null
        )
    )
    or (
        catalogue.shape in ('SUM', 'RATIO')
        and (
            catalogue.components is null
            or catalogue.measure is not null
            or exists (
                select 1
                from unnest(string_to_array(catalogue.components, ' ')) as component (indicator_code)
                where component.indicator_code not in (select base_codes.indicator_code from base_codes)
            )
            or (catalogue.shape = 'RATIO' and cardinality(string_to_array(catalogue.components, ' ')) <> 2)
        )
    )
