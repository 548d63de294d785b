{#- One row per customer and KPI period (month and quarter) in which the customer exists
    (its first state in int_customer_states_historized starts on or before the period's
    effective end): the customer's state at period start (end of the day before) and at
    the effective end, churn and win-back in the period, completed orders in the trailing
    window ending on the effective end, and profile fields. Feeds churn_rate, winback_rate,
    repurchase_rate and profile_completeness, and gives event KPIs the customer's segment
    and value tier at period end.

    No range join: state starts, churn starts, completed orders and the days each
    customer-period asks about (probes) are put on one time line per customer; running
    values at a probe give the state of that day (the last interval started by then),
    and differences of running counts give churns and orders between two days. -#}
with

periods as (

    select * from {{ ref('int_kpi_periods_spined') }}

),

customer_states as (

    select * from {{ ref('int_customer_states_historized') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

customer_first_states as (

    select
        customer_id,
        min(valid_from) as first_state_on
    from customer_states
    where valid_from <= {{ crm_as_of_date() }}
    group by customer_id

),

customer_periods as (

    select
        customer_first_states.customer_id,
        periods.period_grain,
        periods.period_start,
        periods.period_end,
        periods.effective_end,
        periods.day_before_start,
        periods.is_closed_period
    from customer_first_states
    inner join periods
        on customer_first_states.first_state_on <= periods.effective_end

),

completed_orders as (

    select
        customer_id,
        order_date
    from orders
    where
        is_completed
        and order_date <= {{ crm_as_of_date() }}

),

churn_starts as (

    -- the intervals that turn the customer churned (from any other stage)
    select
        customer_id,
        valid_from
    from customer_states
    where
        lifecycle_stage = 'churned'
        and coalesce(previous_lifecycle_stage, '') != 'churned'

),

probe_kinds as (

    select 'start' as probe
    union all
    select 'end' as probe
    union all
    select 'window_start' as probe
    union all
    select 'period_window_start' as probe

),

customer_period_days as (

    select
        customer_id,
        period_grain,
        period_start,
        day_before_start,
        effective_end,
        -- the last day before the trailing order window ending on the effective end
        cast({{ dbt.dateadd('day', -1 * var('spend_window_days'), 'effective_end') }} as date) as before_window
    from customer_periods

),

probes as (

    -- the days whose running values a customer-period needs: the day before its start (state
    -- at start, churn and orders before the period), its effective end, and the last day
    -- before the trailing order window (and before the period, when the window is shorter)
    select
        customer_period_days.customer_id,
        customer_period_days.period_grain,
        customer_period_days.period_start,
        probe_kinds.probe,
        case probe_kinds.probe
            when 'start' then customer_period_days.day_before_start
            when 'end' then customer_period_days.effective_end
            when 'window_start' then customer_period_days.before_window
            else greatest(customer_period_days.day_before_start, customer_period_days.before_window)
        end as probe_date
    from customer_period_days
    cross join probe_kinds

),

stream as (

    -- per customer, one time line of state starts, churn starts, completed orders and probes;
    -- events sort before probes of the same day (a probe sees what happened on its day)
    select
        customer_id,
        valid_from as stream_date,
        0 as stream_order,
        valid_from as state_valid_from,
        0 as churn_start,
        0 as completed_order,
        cast(null as {{ dbt.type_string() }}) as period_grain,
        cast(null as date) as period_start,
        cast(null as {{ dbt.type_string() }}) as probe
    from customer_states

    union all

    select
        customer_id,
        valid_from as stream_date,
        0 as stream_order,
        cast(null as date) as state_valid_from,
        1 as churn_start,
        0 as completed_order,
        cast(null as {{ dbt.type_string() }}) as period_grain,
        cast(null as date) as period_start,
        cast(null as {{ dbt.type_string() }}) as probe
    from churn_starts

    union all

    select
        customer_id,
        order_date as stream_date,
        0 as stream_order,
        cast(null as date) as state_valid_from,
        0 as churn_start,
        1 as completed_order,
        cast(null as {{ dbt.type_string() }}) as period_grain,
        cast(null as date) as period_start,
        cast(null as {{ dbt.type_string() }}) as probe
    from completed_orders

    union all

    select
        customer_id,
        probe_date as stream_date,
        1 as stream_order,
        cast(null as date) as state_valid_from,
        0 as churn_start,
        0 as completed_order,
        period_grain,
        period_start,
        probe
    from probes

),

running as (

    select
        customer_id,
        period_grain,
        period_start,
        probe,
        -- state intervals are contiguous: the state on a day is the last one started by then
        max(state_valid_from) over (
            partition by customer_id
            order by stream_date, stream_order
            rows between unbounded preceding and current row
        ) as state_valid_from,
        sum(churn_start) over (
            partition by customer_id
            order by stream_date, stream_order
            rows between unbounded preceding and current row
        ) as running_churn_starts,
        sum(completed_order) over (
            partition by customer_id
            order by stream_date, stream_order
            rows between unbounded preceding and current row
        ) as running_orders
    from stream

),

measured as (

    select
        customer_id,
        period_grain,
        period_start,
        max(case when probe = 'start' then state_valid_from end) as start_valid_from,
        max(case when probe = 'end' then state_valid_from end) as end_valid_from,
        max(case when probe = 'end' then running_churn_starts end)
        - max(case when probe = 'start' then running_churn_starts end) as churn_events,
        max(case when probe = 'end' then running_orders end)
        - max(case when probe = 'window_start' then running_orders end) as completed_orders_in_window,
        max(case when probe = 'end' then running_orders end)
        - max(case when probe = 'period_window_start' then running_orders end) as completed_orders_in_period
    from running
    where probe is not null
    group by
        customer_id,
        period_grain,
        period_start

),

start_states as (

    select
        measured.customer_id,
        measured.period_grain,
        measured.period_start,
        customer_states.lifecycle_stage,
        customer_states.segment,
        customer_states.value_tier,
        customer_states.tier_rank
    from measured
    inner join customer_states
        on
            measured.customer_id = customer_states.customer_id
            and measured.start_valid_from = customer_states.valid_from

),

end_states as (

    select
        measured.customer_id,
        measured.period_grain,
        measured.period_start,
        customer_states.lifecycle_stage,
        customer_states.segment,
        customer_states.value_tier,
        customer_states.tier_rank
    from measured
    inner join customer_states
        on
            measured.customer_id = customer_states.customer_id
            and measured.end_valid_from = customer_states.valid_from

),

churn_events as (

    select
        customer_id,
        period_grain,
        period_start,
        churn_events
    from measured
    where churn_events > 0

),

window_orders as (

    select
        customer_id,
        period_grain,
        period_start,
        completed_orders_in_window,
        completed_orders_in_period
    from measured
    where completed_orders_in_window > 0

),

final as (

    select
        customer_periods.customer_id,
        customer_periods.period_grain,
        customer_periods.period_start,
        customer_periods.period_end,
        customer_periods.effective_end,
        customer_periods.is_closed_period,
        customers.owner_rep_id,
        start_states.lifecycle_stage as start_lifecycle_stage,
        start_states.segment as start_segment,
        start_states.value_tier as start_value_tier,
        end_states.lifecycle_stage as end_lifecycle_stage,
        end_states.segment as end_segment,
        end_states.value_tier as end_value_tier,
        end_states.tier_rank as end_tier_rank,
        coalesce(start_states.lifecycle_stage not in ('prospect', 'churned'), false) as is_active_at_start,
        coalesce(start_states.lifecycle_stage = 'churned', false) as is_churned_at_start,
        coalesce(churn_events.churn_events, 0) > 0 as became_churned_in_period,
        coalesce(start_states.lifecycle_stage not in ('prospect', 'churned'), false)
        and coalesce(churn_events.churn_events, 0) > 0 as is_churned_from_active,
        coalesce(window_orders.completed_orders_in_period, 0) as completed_orders_in_period,
        coalesce(start_states.lifecycle_stage = 'churned', false)
        and coalesce(window_orders.completed_orders_in_period, 0) > 0 as is_won_back,
        coalesce(window_orders.completed_orders_in_window, 0) as completed_orders_in_window,
        coalesce(window_orders.completed_orders_in_window, 0) >= 1 as is_buyer_in_window,
        coalesce(window_orders.completed_orders_in_window, 0) >= 2 as is_repeat_buyer_in_window,
        customers.required_fields_filled,
        {{ customer_profile_required_columns() | length }} as required_fields_total
    from customer_periods
    left join start_states
        on
            customer_periods.customer_id = start_states.customer_id
            and customer_periods.period_grain = start_states.period_grain
            and customer_periods.period_start = start_states.period_start
    left join end_states
        on
            customer_periods.customer_id = end_states.customer_id
            and customer_periods.period_grain = end_states.period_grain
            and customer_periods.period_start = end_states.period_start
    left join churn_events
        on
            customer_periods.customer_id = churn_events.customer_id
            and customer_periods.period_grain = churn_events.period_grain
            and customer_periods.period_start = churn_events.period_start
    left join window_orders
        on
            customer_periods.customer_id = window_orders.customer_id
            and customer_periods.period_grain = window_orders.period_grain
            and customer_periods.period_start = window_orders.period_start
    left join customers
        on customer_periods.customer_id = customers.customer_id

)

select * from final
