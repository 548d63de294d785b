{#- A customer's measures and rule outcomes on each of its evaluation dates (see
    int_customer_evaluation_dates_spined): trailing spend and order counts, NPS, complaints,
    tenure, and the rule value tier, segment and lifecycle stage of business_rules.md.

    Trailing windows are computed without a range join: each activity enters the windows of
    its customer on its own day (+1, +amount) and leaves each window on the first day the
    window no longer reaches it (-1, -amount: day + N for "the N days ending on the
    evaluation date", the first day of the quarter loyal_quarters quarters later for the
    loyalty window). The deltas are added up per customer and day and put on one timeline
    with the customer's evaluation dates; running sums along it are the window sums
    (`as_of - N < date <= as_of`), read on the evaluation dates (delta days sort first, so
    an activity on the evaluation day counts and one leaving on that day does not). One
    window pass, no join back: at 100,000 customers this halved the model's peak memory
    (5.9 to 2.9 GB) against an earlier form with lookups and joins back to the evaluation
    dates, at the same speed; at 1,000,000 customers (a 90.7 M-row time line) it still needs
    about 20 GB (README, scale notes). Rows: one per activity and window, one per
    evaluation date; never evaluation dates x windows.

    Value tier rules are matched through steps of the policy (spend steps between
    consecutive thresholds, share steps between consecutive shares), each holding the best
    tier rank reachable in it: one left join per rule type, one match per row, no group by.

    The value tier here is the rule tier of that day; the tier a customer actually has
    (upgrades at once, downgrades at quarter ends, top-tier downgrades only when approved)
    is applied in int_customer_states_historized. -#}
{%- set running -%}
    partition by customer_id
    order by timeline_date, timeline_order
    rows between unbounded preceding and current row
{%- endset -%}

with

evaluation_dates as (

    select * from {{ ref('int_customer_evaluation_dates_spined') }}

),

activities as (

    select * from {{ ref('int_customer_activities_unioned') }}

),

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

value_tiers as (

    select * from {{ ref('policy_value_tiers') }}

),

scheme as (

    select * from value_tiers
    where scheme = '{{ var("value_tier_scheme") }}'

),

top_tier as (

    select min(tier_rank) as top_tier_rank
    from scheme

),

stream as (

    -- each activity enters its windows on its own day and leaves them on the day the window
    -- no longer reaches it: +1 / -1 rows whose running sums are the window sums
    select
        customer_id,
        activity_date as stream_date,
        order_amount as spend_delta,
        cast(0 as {{ dbt.type_numeric() }}) as previous_spend_delta,
        is_order as orders_delta,
        0 as previous_orders_delta,
        is_first_order_in_quarter as order_quarters_delta,
        is_complaint as complaints_delta,
        is_nps_response as nps_responses_delta,
        is_promoter as promoters_delta,
        is_detractor as detractors_delta,
        case when is_order = 1 then activity_date end as order_date,
        case when is_complaint = 1 then activity_date end as complaint_date
    from activities

    union all

    -- an order leaves the spend window and enters the previous one
    select
        customer_id,
        cast({{ dbt.dateadd('day', var('spend_window_days'), 'activity_date') }} as date) as stream_date,
        -1 * order_amount as spend_delta,
        order_amount as previous_spend_delta,
        -1 as orders_delta,
        1 as previous_orders_delta,
        0 as order_quarters_delta,
        0 as complaints_delta,
        0 as nps_responses_delta,
        0 as promoters_delta,
        0 as detractors_delta,
        cast(null as date) as order_date,
        cast(null as date) as complaint_date
    from activities
    where is_order = 1

    union all

    -- an order leaves the previous window
    select
        customer_id,
        cast({{ dbt.dateadd('day', 2 * var('spend_window_days'), 'activity_date') }} as date) as stream_date,
        cast(0 as {{ dbt.type_numeric() }}) as spend_delta,
        -1 * order_amount as previous_spend_delta,
        0 as orders_delta,
        -1 as previous_orders_delta,
        0 as order_quarters_delta,
        0 as complaints_delta,
        0 as nps_responses_delta,
        0 as promoters_delta,
        0 as detractors_delta,
        cast(null as date) as order_date,
        cast(null as date) as complaint_date
    from activities
    where is_order = 1

    union all

    -- a quarter with orders leaves the loyalty window once the evaluation date's quarter is
    -- loyal_quarters quarters later
    select
        customer_id,
        cast({{ dbt.dateadd('quarter', var('loyal_quarters'), dbt.date_trunc('quarter', 'activity_date')) }} as date)
            as stream_date,
        cast(0 as {{ dbt.type_numeric() }}) as spend_delta,
        cast(0 as {{ dbt.type_numeric() }}) as previous_spend_delta,
        0 as orders_delta,
        0 as previous_orders_delta,
        -1 as order_quarters_delta,
        0 as complaints_delta,
        0 as nps_responses_delta,
        0 as promoters_delta,
        0 as detractors_delta,
        cast(null as date) as order_date,
        cast(null as date) as complaint_date
    from activities
    where is_first_order_in_quarter = 1

    union all

    -- a complaint leaves the complaint window
    select
        customer_id,
        cast({{ dbt.dateadd('day', var('complaint_risk_days'), 'activity_date') }} as date) as stream_date,
        cast(0 as {{ dbt.type_numeric() }}) as spend_delta,
        cast(0 as {{ dbt.type_numeric() }}) as previous_spend_delta,
        0 as orders_delta,
        0 as previous_orders_delta,
        0 as order_quarters_delta,
        -1 as complaints_delta,
        0 as nps_responses_delta,
        0 as promoters_delta,
        0 as detractors_delta,
        cast(null as date) as order_date,
        cast(null as date) as complaint_date
    from activities
    where is_complaint = 1

    union all

    -- an NPS response leaves the NPS window
    select
        customer_id,
        cast({{ dbt.dateadd('day', var('nps_window_days'), 'activity_date') }} as date) as stream_date,
        cast(0 as {{ dbt.type_numeric() }}) as spend_delta,
        cast(0 as {{ dbt.type_numeric() }}) as previous_spend_delta,
        0 as orders_delta,
        0 as previous_orders_delta,
        0 as order_quarters_delta,
        0 as complaints_delta,
        -1 as nps_responses_delta,
        -1 * is_promoter as promoters_delta,
        -1 * is_detractor as detractors_delta,
        cast(null as date) as order_date,
        cast(null as date) as complaint_date
    from activities
    where is_nps_response = 1

),

daily_deltas as (

    -- the deltas of one customer and day added up (after the as-of date they change no
    -- evaluation date): running sums change only on these days
    select
        customer_id,
        stream_date as delta_date,
        sum(spend_delta) as spend_delta,
        sum(previous_spend_delta) as previous_spend_delta,
        sum(orders_delta) as orders_delta,
        sum(previous_orders_delta) as previous_orders_delta,
        sum(order_quarters_delta) as order_quarters_delta,
        sum(complaints_delta) as complaints_delta,
        sum(nps_responses_delta) as nps_responses_delta,
        sum(promoters_delta) as promoters_delta,
        sum(detractors_delta) as detractors_delta,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        max(complaint_date) as last_complaint_on
    from stream
    where stream_date <= {{ crm_as_of_date() }}
    group by
        customer_id,
        stream_date

),

timeline as (

    -- delta days and evaluation dates of each customer on one line; on a day that is both,
    -- the delta row sorts first so the evaluation date sees that day's deltas
    select
        customer_id,
        delta_date as timeline_date,
        0 as timeline_order,
        0 as is_evaluation,
        false as is_quarter_end,
        false as is_as_of_date,
        spend_delta,
        previous_spend_delta,
        orders_delta,
        previous_orders_delta,
        order_quarters_delta,
        complaints_delta,
        nps_responses_delta,
        promoters_delta,
        detractors_delta,
        first_order_date,
        last_order_date,
        last_complaint_on
    from daily_deltas

    union all

    select
        customer_id,
        evaluation_date as timeline_date,
        1 as timeline_order,
        1 as is_evaluation,
        is_quarter_end,
        is_as_of_date,
        cast(0 as {{ dbt.type_numeric() }}) as spend_delta,
        cast(0 as {{ dbt.type_numeric() }}) as previous_spend_delta,
        0 as orders_delta,
        0 as previous_orders_delta,
        0 as order_quarters_delta,
        0 as complaints_delta,
        0 as nps_responses_delta,
        0 as promoters_delta,
        0 as detractors_delta,
        cast(null as date) as first_order_date,
        cast(null as date) as last_order_date,
        cast(null as date) as last_complaint_on
    from evaluation_dates

),

cumulated as (

    -- before a customer's first delta day every window is empty (the evaluation rows add 0)
    select
        customer_id,
        timeline_date as evaluation_date,
        is_evaluation,
        is_quarter_end,
        is_as_of_date,
        sum(spend_delta) over ({{ running }}) as annual_spend,
        sum(previous_spend_delta) over ({{ running }}) as previous_annual_spend,
        sum(orders_delta) over ({{ running }}) as orders_last_365d,
        sum(previous_orders_delta) over ({{ running }}) as orders_prev_365d,
        sum(order_quarters_delta) over ({{ running }}) as quarters_with_orders,
        sum(complaints_delta) over ({{ running }}) as complaints_last_90d,
        sum(nps_responses_delta) over ({{ running }}) as nps_responses_365d,
        sum(promoters_delta) over ({{ running }}) as nps_promoters_365d,
        sum(detractors_delta) over ({{ running }}) as nps_detractors_365d,
        min(first_order_date) over ({{ running }}) as first_order_date,
        max(last_order_date) over ({{ running }}) as last_order_date,
        max(last_complaint_on) over ({{ running }}) as last_complaint_on
    from timeline

),

measured as (

    select * from cumulated
    where is_evaluation = 1

),

enriched as (

    select
        measured.customer_id,
        measured.evaluation_date,
        measured.is_quarter_end,
        measured.is_as_of_date,
        coalesce(customers.is_strategic, false) as is_strategic,
        measured.first_order_date,
        measured.last_order_date,
        measured.last_complaint_on,
        {{ dbt.datediff('measured.first_order_date', 'measured.evaluation_date', 'day') }}
            as tenure_days,
        {{ dbt.datediff('measured.last_order_date', 'measured.evaluation_date', 'day') }}
            as days_since_last_order,
        measured.annual_spend,
        measured.previous_annual_spend,
        case
            when measured.previous_annual_spend > 0
                then {{ crm_divide(
                    'measured.annual_spend - measured.previous_annual_spend',
                    'measured.previous_annual_spend',
                ) }}
        end as spend_growth,
        measured.orders_last_365d,
        measured.orders_prev_365d,
        measured.complaints_last_90d,
        measured.nps_responses_365d,
        measured.nps_promoters_365d,
        measured.nps_detractors_365d,
        case
            when measured.nps_responses_365d > 0
                then
                    cast(measured.nps_promoters_365d - measured.nps_detractors_365d as {{ dbt.type_numeric() }})
                    * 100 / measured.nps_responses_365d
        end as customer_nps,
        measured.quarters_with_orders
    from measured
    left join customers on measured.customer_id = customers.customer_id

),

spender_ranks as (

    -- Percentile tiers rank the customers with spend against each other, so they are only
    -- evaluated on the dates all customers share: quarter ends and the as-of date.
    select
        customer_id,
        evaluation_date,
        rank() over (partition by evaluation_date order by annual_spend desc) as spend_rank,
        count(*) over (partition by evaluation_date) as spenders_count
    from enriched
    where
        annual_spend > 0
        and (is_quarter_end or is_as_of_date)

),

ranked as (

    select
        enriched.*,
        spender_ranks.spend_rank,
        spender_ranks.spenders_count,
        cast(spender_ranks.spend_rank as {{ dbt.type_numeric() }}) / spender_ranks.spenders_count as spender_share
    from enriched
    left join spender_ranks
        on
            enriched.customer_id = spender_ranks.customer_id
            and enriched.evaluation_date = spender_ranks.evaluation_date

),

spend_steps as (

    -- annual_spend_at_least and otherwise tiers: between one threshold (inclusive; none for
    -- otherwise) and the next one up, the best rank of the tiers whose threshold is reached
    select
        threshold as spend_from,
        lead(threshold) over (order by threshold nulls first) as spend_to,
        min(tier_rank) over (
            order by threshold nulls first
            rows between unbounded preceding and current row
        ) as tier_rank
    from (
        select
            case when rule_type = 'annual_spend_at_least' then threshold end as threshold,
            min(tier_rank) as tier_rank
        from scheme
        where rule_type in ('annual_spend_at_least', 'otherwise')
        group by case when rule_type = 'annual_spend_at_least' then threshold end
    ) as spend_thresholds

),

share_steps as (

    -- top_share_of_spenders tiers: a spender ranked within share x spenders matches every
    -- tier of that share or a larger one; between the next smaller share (exclusive) and
    -- this one, the best rank of the tiers of this share or larger
    select
        lag(threshold) over (order by threshold) as share_from,
        threshold as share_to,
        min(tier_rank) over (
            order by threshold desc
            rows between unbounded preceding and current row
        ) as tier_rank
    from (
        select
            threshold,
            min(tier_rank) as tier_rank
        from scheme
        where rule_type = 'top_share_of_spenders'
        group by threshold
    ) as share_thresholds

),

tier_matches as (

    select
        ranked.*,
        -- least skips nulls (DuckDB, PostgreSQL, Spark): null only when no rule matches
        least(spend_steps.tier_rank, share_steps.tier_rank) as spend_tier_rank
    from ranked
    left join spend_steps
        on
            (spend_steps.spend_from is null or ranked.annual_spend >= spend_steps.spend_from)
            and (spend_steps.spend_to is null or ranked.annual_spend < spend_steps.spend_to)
    left join share_steps
        on
            ranked.spend_rank <= share_steps.share_to * ranked.spenders_count
            and (share_steps.share_from is null or ranked.spend_rank > share_steps.share_from * ranked.spenders_count)

),

ruled as (

    select
        tier_matches.*,
        {% if var('strategic_forces_top_tier') -%}
            case when tier_matches.is_strategic then top_tier.top_tier_rank else tier_matches.spend_tier_rank end
        {%- else -%}
            tier_matches.spend_tier_rank
        {%- endif %} as rule_tier_rank,
        coalesce(tier_matches.complaints_last_90d > 0, false) as has_recent_complaint,
        -- NPS thresholds compared in integers: 100 * (promoters - detractors) vs threshold * responses
        coalesce(
            tier_matches.nps_responses_365d > 0
            and 100 * (tier_matches.nps_promoters_365d - tier_matches.nps_detractors_365d)
            < {{ var('nps_risk_below') }} * tier_matches.nps_responses_365d,
            false
        ) as is_nps_risk,
        coalesce(
            tier_matches.nps_responses_365d > 0
            and 100 * (tier_matches.nps_promoters_365d - tier_matches.nps_detractors_365d)
            >= {{ var('nps_stable_at_least') }} * tier_matches.nps_responses_365d,
            false
        ) as is_nps_stable,
        -- growth is undefined (so false) without spend in the previous window
        coalesce(
            tier_matches.previous_annual_spend > 0
            and tier_matches.annual_spend - tier_matches.previous_annual_spend
            >= {{ var('high_potential_growth') }} * tier_matches.previous_annual_spend,
            false
        ) as is_spend_growing,
        coalesce(
            tier_matches.orders_prev_365d >= {{ var('frequency_drop_min_prev_orders') }}
            and tier_matches.orders_last_365d < {{ var('frequency_drop_ratio') }} * tier_matches.orders_prev_365d,
            false
        ) as is_frequency_drop
    from tier_matches
    cross join top_tier

),

segmented as (

    select
        ruled.*,
        case
            when ruled.has_recent_complaint or ruled.is_nps_risk or ruled.is_frequency_drop
                then 'satisfaction_risk'
            when
                ruled.annual_spend >= {{ var('high_value_stable_spend') }}
                and ruled.tenure_days >= {{ var('loyal_tenure_days') }}
                and (ruled.is_nps_stable or ruled.nps_responses_365d = 0)
                then 'high_value_stable'
            when
                ruled.annual_spend >= {{ var('high_potential_spend') }}
                or (
                    ruled.tenure_days < {{ var('high_potential_tenure_days') }}
                    and ruled.is_spend_growing
                )
                then 'high_potential'
            when ruled.first_order_date is not null then 'standard'
            else 'prospect'
        end as segment
    from ruled

),

staged as (

    select
        segmented.*,
        case
            when segmented.first_order_date is null then 'prospect'
            when segmented.days_since_last_order >= {{ var('churn_inactive_days') }} then 'churned'
            when
                segmented.days_since_last_order >= {{ var('at_risk_inactive_days') }}
                or segmented.segment = 'satisfaction_risk'
                then 'at_risk'
            when segmented.tenure_days < {{ var('new_customer_days') }} then 'new'
            when
                segmented.tenure_days >= {{ var('loyal_tenure_days') }}
                and segmented.quarters_with_orders >= {{ var('loyal_quarters') }}
                then 'loyal'
            else 'established'
        end as lifecycle_stage
    from segmented

),

final as (

    select
        staged.customer_id,
        staged.evaluation_date,
        staged.is_quarter_end,
        staged.is_as_of_date,
        staged.is_strategic,
        staged.first_order_date,
        staged.last_order_date,
        cast(staged.tenure_days as {{ dbt.type_int() }}) as tenure_days,
        cast(staged.days_since_last_order as {{ dbt.type_int() }}) as days_since_last_order,
        cast(staged.annual_spend as decimal(18, 2)) as annual_spend,
        cast(staged.previous_annual_spend as decimal(18, 2)) as previous_annual_spend,
        cast(staged.spend_growth as decimal(18, 8)) as spend_growth,
        cast(staged.orders_last_365d as {{ dbt.type_int() }}) as orders_last_365d,
        cast(staged.orders_prev_365d as {{ dbt.type_int() }}) as orders_prev_365d,
        cast(staged.quarters_with_orders as {{ dbt.type_int() }}) as quarters_with_orders,
        cast(staged.complaints_last_90d as {{ dbt.type_int() }}) as complaints_last_90d,
        staged.last_complaint_on,
        cast(staged.nps_responses_365d as {{ dbt.type_int() }}) as nps_responses_365d,
        cast(staged.nps_promoters_365d as {{ dbt.type_int() }}) as nps_promoters_365d,
        cast(staged.nps_detractors_365d as {{ dbt.type_int() }}) as nps_detractors_365d,
        cast(staged.customer_nps as decimal(9, 4)) as customer_nps,
        cast(staged.spend_rank as {{ dbt.type_int() }}) as spend_rank,
        cast(staged.spenders_count as {{ dbt.type_int() }}) as spenders_count,
        cast(staged.spender_share as decimal(9, 6)) as spender_share,
        staged.spend_tier_rank,
        staged.rule_tier_rank,
        scheme.tier as rule_value_tier,
        staged.has_recent_complaint,
        staged.is_nps_risk,
        staged.is_frequency_drop,
        staged.is_nps_stable,
        staged.is_spend_growing,
        staged.segment,
        staged.lifecycle_stage
    from staged
    left join scheme on staged.rule_tier_rank = scheme.tier_rank

)

select * from final
