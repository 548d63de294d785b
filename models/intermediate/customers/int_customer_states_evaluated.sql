{#- A customer's measures and rule outcomes on each of its evaluation dates (see
    int_customer_evaluation_dates_spined): trailing spend and order counts, NPS, complaints,
    tenure, and the rule value tier, segment and lifecycle stage of business_rules.md.

    Trailing windows are computed without a range join: activities and "probes" (the
    evaluation date and each window's lower bound) are put in one stream per customer and
    running sums are taken over it; a window sum is the running sum at the evaluation date
    minus the running sum at the day the window starts from (`as_of - N < date <= as_of`).
    Activities sort before probes of the same day, so an activity on the probe day counts.

    The value tier here is the rule tier of that day; the tier a customer actually has
    (upgrades at once, downgrades at quarter ends, top-tier downgrades only when approved)
    is applied in int_customer_states_historized. -#}
{%- set running -%}
    partition by customer_id
    order by stream_date, stream_order
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

probe_kinds as (

    select 'current' as probe
    union all
    select 'spend_window' as probe
    union all
    select 'previous_window' as probe
    union all
    select 'complaint_window' as probe
    union all
    select 'nps_window' as probe
    union all
    select 'loyal_window' as probe

),

probes as (

    -- the evaluation date and, for each window, the last day before it starts
    select
        evaluation_dates.customer_id,
        evaluation_dates.evaluation_date,
        probe_kinds.probe,
        cast(case probe_kinds.probe
            when 'current' then evaluation_dates.evaluation_date
            when 'spend_window'
                then {{ dbt.dateadd('day', -1 * var('spend_window_days'), 'evaluation_dates.evaluation_date') }}
            when 'previous_window'
                then {{ dbt.dateadd('day', -2 * var('spend_window_days'), 'evaluation_dates.evaluation_date') }}
            when 'complaint_window'
                then {{ dbt.dateadd('day', -1 * var('complaint_risk_days'), 'evaluation_dates.evaluation_date') }}
            when 'nps_window'
                then {{ dbt.dateadd('day', -1 * var('nps_window_days'), 'evaluation_dates.evaluation_date') }}
            when 'loyal_window'
                then {{ dbt.dateadd('day', -1, dbt.dateadd('quarter', -1 * (var('loyal_quarters') - 1),
                    dbt.date_trunc('quarter', 'evaluation_dates.evaluation_date'))) }}
        end as date) as probe_date
    from evaluation_dates
    cross join probe_kinds

),

stream as (

    select
        customer_id,
        activity_date as stream_date,
        0 as stream_order,
        cast(null as date) as evaluation_date,
        cast(null as {{ dbt.type_string() }}) as probe,
        order_amount,
        is_order,
        is_first_order_in_quarter,
        is_complaint,
        is_nps_response,
        is_promoter,
        is_detractor,
        case when is_order = 1 then activity_date end as order_date,
        case when is_complaint = 1 then activity_date end as complaint_date
    from activities

    union all

    select
        customer_id,
        probe_date as stream_date,
        1 as stream_order,
        evaluation_date,
        probe,
        0 as order_amount,
        0 as is_order,
        0 as is_first_order_in_quarter,
        0 as is_complaint,
        0 as is_nps_response,
        0 as is_promoter,
        0 as is_detractor,
        cast(null as date) as order_date,
        cast(null as date) as complaint_date
    from probes

),

running as (

    select
        customer_id,
        evaluation_date,
        probe,
        coalesce(sum(order_amount) over ({{ running }}), 0) as running_spend,
        sum(is_order) over ({{ running }}) as running_orders,
        sum(is_first_order_in_quarter) over ({{ running }}) as running_order_quarters,
        sum(is_complaint) over ({{ running }}) as running_complaints,
        sum(is_nps_response) over ({{ running }}) as running_nps_responses,
        sum(is_promoter) over ({{ running }}) as running_promoters,
        sum(is_detractor) over ({{ running }}) as running_detractors,
        min(order_date) over ({{ running }}) as first_order_date,
        max(order_date) over ({{ running }}) as last_order_date,
        max(complaint_date) over ({{ running }}) as last_complaint_on
    from stream

),

measured as (

    select
        customer_id,
        evaluation_date,
        max(case when probe = 'current' then first_order_date end) as first_order_date,
        max(case when probe = 'current' then last_order_date end) as last_order_date,
        max(case when probe = 'current' then last_complaint_on end) as last_complaint_on,
        max(case when probe = 'current' then running_spend end)
        - max(case when probe = 'spend_window' then running_spend end) as annual_spend,
        max(case when probe = 'spend_window' then running_spend end)
        - max(case when probe = 'previous_window' then running_spend end) as previous_annual_spend,
        max(case when probe = 'current' then running_orders end)
        - max(case when probe = 'spend_window' then running_orders end) as orders_last_365d,
        max(case when probe = 'spend_window' then running_orders end)
        - max(case when probe = 'previous_window' then running_orders end) as orders_prev_365d,
        max(case when probe = 'current' then running_complaints end)
        - max(case when probe = 'complaint_window' then running_complaints end) as complaints_last_90d,
        max(case when probe = 'current' then running_nps_responses end)
        - max(case when probe = 'nps_window' then running_nps_responses end) as nps_responses_365d,
        max(case when probe = 'current' then running_promoters end)
        - max(case when probe = 'nps_window' then running_promoters end) as nps_promoters_365d,
        max(case when probe = 'current' then running_detractors end)
        - max(case when probe = 'nps_window' then running_detractors end) as nps_detractors_365d,
        max(case when probe = 'current' then running_order_quarters end)
        - max(case when probe = 'loyal_window' then running_order_quarters end) as quarters_with_orders
    from running
    where probe is not null
    group by
        customer_id,
        evaluation_date

),

enriched as (

    select
        evaluation_dates.customer_id,
        evaluation_dates.evaluation_date,
        evaluation_dates.is_quarter_end,
        evaluation_dates.is_as_of_date,
        coalesce(customers.is_strategic, false) as is_strategic,
        measured.first_order_date,
        measured.last_order_date,
        measured.last_complaint_on,
        {{ dbt.datediff('measured.first_order_date', 'evaluation_dates.evaluation_date', 'day') }}
            as tenure_days,
        {{ dbt.datediff('measured.last_order_date', 'evaluation_dates.evaluation_date', 'day') }}
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
    from evaluation_dates
    inner join measured
        on
            evaluation_dates.customer_id = measured.customer_id
            and evaluation_dates.evaluation_date = measured.evaluation_date
    left join customers on evaluation_dates.customer_id = customers.customer_id

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

tier_matches as (

    select
        ranked.customer_id,
        ranked.evaluation_date,
        min(scheme.tier_rank) as spend_tier_rank
    from ranked
    inner join scheme
        on
            (scheme.rule_type = 'annual_spend_at_least' and ranked.annual_spend >= scheme.threshold)
            or (
                scheme.rule_type = 'top_share_of_spenders'
                and ranked.spend_rank <= scheme.threshold * ranked.spenders_count
            )
            or scheme.rule_type = 'otherwise'
    group by
        ranked.customer_id,
        ranked.evaluation_date

),

ruled as (

    select
        ranked.*,
        tier_matches.spend_tier_rank,
        {% if var('strategic_forces_top_tier') -%}
            case when ranked.is_strategic then top_tier.top_tier_rank else tier_matches.spend_tier_rank end
        {%- else -%}
            tier_matches.spend_tier_rank
        {%- endif %} as rule_tier_rank,
        coalesce(ranked.complaints_last_90d > 0, false) as has_recent_complaint,
        -- NPS thresholds compared in integers: 100 * (promoters - detractors) vs threshold * responses
        coalesce(
            ranked.nps_responses_365d > 0
            and 100 * (ranked.nps_promoters_365d - ranked.nps_detractors_365d)
            < {{ var('nps_risk_below') }} * ranked.nps_responses_365d,
            false
        ) as is_nps_risk,
        coalesce(
            ranked.nps_responses_365d > 0
            and 100 * (ranked.nps_promoters_365d - ranked.nps_detractors_365d)
            >= {{ var('nps_stable_at_least') }} * ranked.nps_responses_365d,
            false
        ) as is_nps_stable,
        -- growth is undefined (so false) without spend in the previous window
        coalesce(
            ranked.previous_annual_spend > 0
            and ranked.annual_spend - ranked.previous_annual_spend
            >= {{ var('high_potential_growth') }} * ranked.previous_annual_spend,
            false
        ) as is_spend_growing,
        coalesce(
            ranked.orders_prev_365d >= {{ var('frequency_drop_min_prev_orders') }}
            and ranked.orders_last_365d < {{ var('frequency_drop_ratio') }} * ranked.orders_prev_365d,
            false
        ) as is_frequency_drop
    from ranked
    left join tier_matches
        on
            ranked.customer_id = tier_matches.customer_id
            and ranked.evaluation_date = tier_matches.evaluation_date
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
