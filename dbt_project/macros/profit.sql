{#- Profit formulas (rules.md, "Simulated (FTP) profit"): each written once. -#}

{% macro remaining_term_months(maturity_date, biz_date) -%}
    {#- Months to maturity for the transfer-price curve: days left x 12 / 365; a demand account
        (no maturity) and an overdue one count 0, so they take the curve's shortest point. -#}
    round(greatest(coalesce(({{ maturity_date }}) - ({{ biz_date }}), 0), 0) * 12.0 / 365, 6)
{%- endmacro %}


{% macro interest_margin(balance_cny, earning_rate_pct, paying_rate_pct, day_basis) -%}
    {#- A day's interest on a CNY balance at the spread between two annual percent rates, exact
        (rules.md, Precision: rounded only where a user sees it); 0 on a zero balance (even when
        the day has no basis: a carried row). -#}
    case
        when ({{ balance_cny }}) = 0 then 0
        else round(
            ({{ balance_cny }}) * {{ daily_rate('(' ~ earning_rate_pct ~ ') - (' ~ paying_rate_pct ~ ')', day_basis) }},
            {{ exact_money_scale() }}
        )
    end
{%- endmacro %}


{% macro economic_capital_cost(balance_cny, risk_weight, capital_ratio_pct, hurdle_rate_pct) -%}
    {#- A day's economic capital cost: balance_cny x risk_weight / 100 x capital ratio x hurdle
        rate / 365 (ratios in percent), exact like every daily interest amount. -#}
    case
        when ({{ balance_cny }}) = 0 then 0
        else round(
            ({{ balance_cny }}) * ({{ risk_weight }}) / 100.0
            * ({{ capital_ratio_pct }}) / 100.0 * ({{ hurdle_rate_pct }}) / 100.0 / 365,
            {{ exact_money_scale() }}
        )
    end
{%- endmacro %}


{% macro allocate_exactly(amount, share, partition_by, tie_breaker, scale=2) -%}
    {#- An amount split by shares so the parts add up to it exactly (context: "round(X × share,
        scale) for every owner but one - the largest share, ties by the tie breaker - who takes X
        minus the others' sum"); scale 2 for booked money (fees, balances), exact_money_scale() for
        interest and profit. Window functions: use in a select whose rows are the parts. -#}
    case
        when row_number() over (
            partition by {{ partition_by }} order by {{ share }} desc, {{ tie_breaker }}
        ) = 1
            then ({{ amount }}) - (
                sum(round(({{ amount }}) * ({{ share }}), {{ scale }})) over (partition by {{ partition_by }})
                - round(({{ amount }}) * ({{ share }}), {{ scale }})
            )
        else round(({{ amount }}) * ({{ share }}), {{ scale }})
    end
{%- endmacro %}
