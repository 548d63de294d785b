{#- One row per KPI, period and counted record: every record a KPI of business_rules.md
    counts, with its contribution to the numerator and denominator (or its measure for a
    median) and the attributes it is sliced by. Event KPIs count a record in every period
    (month and quarter) that contains its date, up to the as-of date; customer-state KPIs
    count the customer-period rows of int_kpi_customer_periods_evaluated.

    Attribution (documented in the KPI marts): rep = the record's own rep where it has one
    (order rep_id, falling back to the customer's owner; interaction rep_id; lead and
    opportunity owner_rep_id), else the customer's owner rep (surveys, complaints, customer
    states, cadence periods); segment / value tier = the customer's state on the day of the
    event for event KPIs (so months add up to quarters in every dimension), the cadence
    period's own state for cadence_compliance_rate, the state at period start for churn_rate
    and winback_rate, and at the period's effective end for repurchase_rate and
    profile_completeness. Leads have neither. -#}
{%- set money = 'decimal(18, 2)' -%}

with

periods as (

    select * from {{ ref('int_kpi_periods_spined') }}

),

customer_periods as (

    select * from {{ ref('int_kpi_customer_periods_evaluated') }}

),

surveys as (

    select * from {{ ref('fct_survey_responses') }}

),

tickets as (

    select * from {{ ref('fct_tickets') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

leads as (

    select * from {{ ref('fct_leads') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

interactions as (

    select * from {{ ref('fct_interactions') }}

),

cadence_periods as (

    select * from {{ ref('fct_cadence_compliance') }}

),

customer_states as (

    select * from {{ ref('int_customer_states_historized') }}

),

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

survey_events as (

    -- csat_avg: mean score_overall; satisfaction_rate: share of scores >= var
    -- satisfied_score_at_least; nps: promoters - detractors over responses (x 100)
    select
        'csat_avg' as kpi_code,
        response_id as record_id,
        customer_id,
        owner_rep_id as rep_id,
        responded_on as event_date,
        cast(score_overall as {{ money }}) as numerator,
        cast(1 as {{ money }}) as denominator,
        cast(null as {{ money }}) as measure_value
    from surveys
    where score_overall is not null

    union all

    select
        'satisfaction_rate' as kpi_code,
        response_id as record_id,
        customer_id,
        owner_rep_id as rep_id,
        responded_on as event_date,
        cast(case when is_satisfied then 1 else 0 end as {{ money }}) as numerator,
        cast(1 as {{ money }}) as denominator,
        cast(null as {{ money }}) as measure_value
    from surveys
    where score_overall is not null

    union all

    select
        'nps' as kpi_code,
        response_id as record_id,
        customer_id,
        owner_rep_id as rep_id,
        responded_on as event_date,
        cast(nps_contribution as {{ money }}) as numerator,
        cast(1 as {{ money }}) as denominator,
        cast(null as {{ money }}) as measure_value
    from surveys
    where nps_score is not null

),

complaint_events as (

    -- complaints opened in the period: resolved (any time up to as_of) / opened; SLA met /
    -- complaints whose SLA outcome is decided (precise reading 14: undecided while open)
    select
        'complaint_resolution_rate' as kpi_code,
        tickets.ticket_id as record_id,
        tickets.customer_id,
        customers.owner_rep_id as rep_id,
        cast(tickets.opened_at as date) as event_date,
        cast(case when tickets.is_resolved then 1 else 0 end as {{ money }}) as numerator,
        cast(1 as {{ money }}) as denominator,
        cast(null as {{ money }}) as measure_value
    from tickets
    left join customers
        on tickets.customer_id = customers.customer_id
    where tickets.is_complaint

    union all

    select
        'complaint_sla_rate' as kpi_code,
        tickets.ticket_id as record_id,
        tickets.customer_id,
        customers.owner_rep_id as rep_id,
        cast(tickets.opened_at as date) as event_date,
        cast(case when tickets.complaint_sla_met then 1 else 0 end as {{ money }}) as numerator,
        cast(1 as {{ money }}) as denominator,
        cast(null as {{ money }}) as measure_value
    from tickets
    left join customers
        on tickets.customer_id = customers.customer_id
    where
        tickets.is_complaint
        and tickets.complaint_sla_met is not null

),

order_events as (

    -- avg_order_value: revenue / completed orders; cross_sell_share: revenue of orders that
    -- are the customer's first in a category (after its first order) / revenue
    select
        'avg_order_value' as kpi_code,
        orders.order_id as record_id,
        orders.customer_id,
        coalesce(orders.rep_id, customers.owner_rep_id) as rep_id,
        orders.order_date as event_date,
        cast(orders.amount as {{ money }}) as numerator,
        cast(1 as {{ money }}) as denominator,
        cast(null as {{ money }}) as measure_value
    from orders
    left join customers
        on orders.customer_id = customers.customer_id
    where orders.is_completed

    union all

    select
        'cross_sell_share' as kpi_code,
        orders.order_id as record_id,
        orders.customer_id,
        coalesce(orders.rep_id, customers.owner_rep_id) as rep_id,
        orders.order_date as event_date,
        cast(case when orders.is_cross_sell then orders.amount else 0 end as {{ money }}) as numerator,
        cast(orders.amount as {{ money }}) as denominator,
        cast(null as {{ money }}) as measure_value
    from orders
    left join customers
        on orders.customer_id = customers.customer_id
    where
        orders.is_completed
        and orders.amount is not null

),

lead_events as (

    -- leads created in the period: converted (as of as_of) / created; contacted within the
    -- grade's window / leads whose contact SLA is decided
    select
        'lead_conversion_rate' as kpi_code,
        lead_id as record_id,
        cast(null as {{ dbt.type_string() }}) as customer_id,
        owner_rep_id as rep_id,
        cast(created_at as date) as event_date,
        cast(case when converted then 1 else 0 end as {{ money }}) as numerator,
        cast(1 as {{ money }}) as denominator,
        cast(null as {{ money }}) as measure_value
    from leads

    union all

    select
        'lead_sla_rate' as kpi_code,
        lead_id as record_id,
        cast(null as {{ dbt.type_string() }}) as customer_id,
        owner_rep_id as rep_id,
        cast(created_at as date) as event_date,
        cast(case when contact_sla_met then 1 else 0 end as {{ money }}) as numerator,
        cast(1 as {{ money }}) as denominator,
        cast(null as {{ money }}) as measure_value
    from leads
    where contact_sla_met is not null

),

opportunity_events as (

    -- sales_cycle_days: median cycle of won opportunities closed in the period (negative
    -- cycles of deals closed before created are kept, precise reading 16)
    select
        'sales_cycle_days' as kpi_code,
        opportunity_id as record_id,
        customer_id,
        owner_rep_id as rep_id,
        cast(closed_at as date) as event_date,
        cast(null as {{ money }}) as numerator,
        cast(1 as {{ money }}) as denominator,
        cast(cycle_days as {{ money }}) as measure_value
    from opportunities
    where
        is_won
        and closed_at is not null
        and cycle_days is not null

),

interaction_events as (

    -- logging_sla_rate: logged within var logging_sla_hours / interactions whose logging
    -- outcome is decided
    select
        'logging_sla_rate' as kpi_code,
        interaction_id as record_id,
        customer_id,
        rep_id,
        occurred_on as event_date,
        cast(case when logged_within_24h then 1 else 0 end as {{ money }}) as numerator,
        cast(1 as {{ money }}) as denominator,
        cast(null as {{ money }}) as measure_value
    from interactions
    where logged_within_24h is not null

),

events as (

    select * from survey_events
    union all
    select * from complaint_events
    union all
    select * from order_events
    union all
    select * from lead_events
    union all
    select * from opportunity_events
    union all
    select * from interaction_events

),

event_stream as (

    -- events and state starts on one time line per customer: the state on an event's day is
    -- the last interval started by then (intervals are contiguous), found by a running max
    -- instead of a range join of every event with every interval of its customer
    select
        customer_id,
        valid_from as stream_date,
        0 as stream_order,
        valid_from as state_valid_from,
        cast(null as {{ dbt.type_string() }}) as kpi_code,
        cast(null as {{ dbt.type_string() }}) as record_id,
        cast(null as {{ dbt.type_string() }}) as rep_id,
        cast(null as date) as event_date,
        cast(null as {{ money }}) as numerator,
        cast(null as {{ money }}) as denominator,
        cast(null as {{ money }}) as measure_value
    from customer_states

    union all

    select
        customer_id,
        event_date as stream_date,
        1 as stream_order,
        cast(null as date) as state_valid_from,
        kpi_code,
        record_id,
        rep_id,
        event_date,
        numerator,
        denominator,
        measure_value
    from events
    where event_date <= {{ crm_as_of_date() }}

),

events_with_state_start as (

    select
        *,
        max(state_valid_from) over (
            partition by customer_id
            order by stream_date, stream_order
            rows between unbounded preceding and current row
        ) as event_state_valid_from
    from event_stream

),

events_with_state as (

    -- the customer's segment and value tier on the day of the event
    select
        events_with_state_start.kpi_code,
        events_with_state_start.record_id,
        events_with_state_start.customer_id,
        events_with_state_start.rep_id,
        events_with_state_start.event_date,
        events_with_state_start.numerator,
        events_with_state_start.denominator,
        events_with_state_start.measure_value,
        customer_states.segment,
        customer_states.value_tier
    from events_with_state_start
    left join customer_states
        on
            events_with_state_start.customer_id = customer_states.customer_id
            and events_with_state_start.event_state_valid_from = customer_states.valid_from
    where events_with_state_start.stream_order = 1

),

period_grains as (

    select distinct period_grain
    from periods

),

event_periods as (

    -- each event placed in the period of every grain that contains it: an equi-join key
    -- instead of a range join of every event with every period
    select
        events_with_state.*,
        period_grains.period_grain,
        cast(
            case period_grains.period_grain
                when 'month' then {{ dbt.date_trunc('month', 'events_with_state.event_date') }}
                when 'quarter' then {{ dbt.date_trunc('quarter', 'events_with_state.event_date') }}
            end as date
        ) as event_period_start
    from events_with_state
    cross join period_grains

),

event_measures as (

    select
        event_periods.kpi_code,
        periods.period_grain,
        periods.period_start,
        event_periods.record_id,
        event_periods.customer_id,
        event_periods.rep_id,
        event_periods.segment,
        event_periods.value_tier,
        event_periods.numerator,
        event_periods.denominator,
        event_periods.measure_value
    from event_periods
    inner join periods
        on
            event_periods.period_grain = periods.period_grain
            and event_periods.event_period_start = periods.period_start
            and event_periods.event_date <= periods.effective_end

),

cadence_measures as (

    -- cadence_compliance_rate: compliant / closed customer-periods, counted in the KPI period
    -- containing the cadence period's end (precise reading 13); the cadence row's own state
    select
        'cadence_compliance_rate' as kpi_code,
        periods.period_grain,
        periods.period_start,
        {{ dbt.concat([
            'cadence_periods.customer_id', "'|'", 'cadence_periods.period_grain', "'|'",
            dbt.safe_cast('cadence_periods.period_start', dbt.type_string()),
        ]) }} as record_id,
        cadence_periods.customer_id,
        cadence_periods.owner_rep_id as rep_id,
        cadence_periods.segment,
        cadence_periods.value_tier,
        cast(case when cadence_periods.is_compliant then 1 else 0 end as {{ money }}) as numerator,
        cast(1 as {{ money }}) as denominator,
        cast(null as {{ money }}) as measure_value
    from cadence_periods
    cross join period_grains
    inner join periods
        on
            period_grains.period_grain = periods.period_grain
            and cast(
                case period_grains.period_grain
                    when 'month' then {{ dbt.date_trunc('month', 'cadence_periods.period_end') }}
                    when 'quarter' then {{ dbt.date_trunc('quarter', 'cadence_periods.period_end') }}
                end as date
            ) = periods.period_start
            and cadence_periods.period_end <= periods.effective_end
    where cadence_periods.is_closed

),

customer_state_measures as (

    -- churn_rate: active (not prospect, not churned) at period start -> became churned in it
    select
        'churn_rate' as kpi_code,
        period_grain,
        period_start,
        customer_id as record_id,
        customer_id,
        owner_rep_id as rep_id,
        start_segment as segment,
        start_value_tier as value_tier,
        cast(case when is_churned_from_active then 1 else 0 end as {{ money }}) as numerator,
        cast(1 as {{ money }}) as denominator,
        cast(null as {{ money }}) as measure_value
    from customer_periods
    where is_active_at_start

    union all

    -- winback_rate: churned at period start -> completed order in the period
    select
        'winback_rate' as kpi_code,
        period_grain,
        period_start,
        customer_id as record_id,
        customer_id,
        owner_rep_id as rep_id,
        start_segment as segment,
        start_value_tier as value_tier,
        cast(case when is_won_back then 1 else 0 end as {{ money }}) as numerator,
        cast(1 as {{ money }}) as denominator,
        cast(null as {{ money }}) as measure_value
    from customer_periods
    where is_churned_at_start

    union all

    -- repurchase_rate: >= 2 / >= 1 completed orders in the trailing window ending on the
    -- period's effective end
    select
        'repurchase_rate' as kpi_code,
        period_grain,
        period_start,
        customer_id as record_id,
        customer_id,
        owner_rep_id as rep_id,
        end_segment as segment,
        end_value_tier as value_tier,
        cast(case when is_repeat_buyer_in_window then 1 else 0 end as {{ money }}) as numerator,
        cast(1 as {{ money }}) as denominator,
        cast(null as {{ money }}) as measure_value
    from customer_periods
    where is_buyer_in_window

    union all

    -- profile_completeness: filled required fields / (customers x required fields), over
    -- the customers existing on the effective end (current profile values)
    select
        'profile_completeness' as kpi_code,
        period_grain,
        period_start,
        customer_id as record_id,
        customer_id,
        owner_rep_id as rep_id,
        end_segment as segment,
        end_value_tier as value_tier,
        cast(required_fields_filled as {{ money }}) as numerator,
        cast(required_fields_total as {{ money }}) as denominator,
        cast(null as {{ money }}) as measure_value
    from customer_periods
    where required_fields_filled is not null

),

final as (

    select * from event_measures
    union all
    select * from cadence_measures
    union all
    select * from customer_state_measures

)

select * from final
