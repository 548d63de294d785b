{#- One row per customer and KPI period (month and quarter) in which the customer exists
    (its first state in int_customer_states_historized starts on or before the period's
    effective end): the customer's state at period start (end of the day before) and at
    the effective end, churn and win-back in the period, completed orders in the trailing
    window ending on the effective end, and profile fields. Feeds churn_rate, winback_rate,
    repurchase_rate and profile_completeness, and gives event KPIs the customer's segment
    and value tier at period end. -#}
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

start_states as (

    select
        customer_periods.customer_id,
        customer_periods.period_grain,
        customer_periods.period_start,
        customer_states.lifecycle_stage,
        customer_states.segment,
        customer_states.value_tier,
        customer_states.tier_rank
    from customer_periods
    inner join customer_states
        on
            customer_periods.customer_id = customer_states.customer_id
            and customer_periods.day_before_start >= customer_states.valid_from
            and (
                customer_states.valid_to is null
                or customer_periods.day_before_start < customer_states.valid_to
            )

),

end_states as (

    select
        customer_periods.customer_id,
        customer_periods.period_grain,
        customer_periods.period_start,
        customer_states.lifecycle_stage,
        customer_states.segment,
        customer_states.value_tier,
        customer_states.tier_rank
    from customer_periods
    inner join customer_states
        on
            customer_periods.customer_id = customer_states.customer_id
            and customer_periods.effective_end >= customer_states.valid_from
            and (
                customer_states.valid_to is null
                or customer_periods.effective_end < customer_states.valid_to
            )

),

churn_events as (

    -- an interval that turns the customer churned (from any other stage) opening in the period
    select
        customer_periods.customer_id,
        customer_periods.period_grain,
        customer_periods.period_start,
        count(*) as churn_events
    from customer_periods
    inner join customer_states
        on
            customer_periods.customer_id = customer_states.customer_id
            and customer_periods.period_start <= customer_states.valid_from
            and customer_periods.effective_end >= customer_states.valid_from
    where
        customer_states.lifecycle_stage = 'churned'
        and coalesce(customer_states.previous_lifecycle_stage, '') != 'churned'
    group by
        customer_periods.customer_id,
        customer_periods.period_grain,
        customer_periods.period_start

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

window_orders as (

    -- completed orders in the trailing window (var spend_window_days, 365) ending on the
    -- effective end: effective_end - 365 < order_date <= effective_end (precise reading 1)
    select
        customer_periods.customer_id,
        customer_periods.period_grain,
        customer_periods.period_start,
        count(*) as completed_orders_in_window,
        sum(
            case when completed_orders.order_date >= customer_periods.period_start then 1 else 0 end
        ) as completed_orders_in_period
    from customer_periods
    inner join completed_orders
        on
            customer_periods.customer_id = completed_orders.customer_id
            and customer_periods.effective_end >= completed_orders.order_date
            and {{ dbt.dateadd('day', -1 * var('spend_window_days'), 'customer_periods.effective_end') }}
            < completed_orders.order_date
    group by
        customer_periods.customer_id,
        customer_periods.period_grain,
        customer_periods.period_start

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
