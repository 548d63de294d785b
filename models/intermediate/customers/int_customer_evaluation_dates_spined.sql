{#- Every date on which a customer's state must be (re)evaluated: the day the customer first
    exists, every quarter start and end, every activity day, every day on which a rule window
    lets an activity go (order + at-risk / churn / 365 / 730 days, complaint + 90 days, NPS
    response + 365 days) or on which a tenure threshold is crossed (first order + 180 / 365 /
    730 days), and the as-of date. Between two of these dates no rule input changes, so the
    state is exact on every day while the model stays linear in activities and quarters
    (never customers x days). -#}

with

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

activities as (

    select * from {{ ref('int_customer_activities_unioned') }}

),

quarters as (

    select * from {{ ref('int_calendar_quarters_spined') }}

),

first_orders as (

    select
        customer_id,
        min(activity_date) as first_order_date
    from activities
    where activity_type = 'order'
    group by customer_id

),

customer_starts as (

    -- A customer exists from acquired_at, or from its first completed order when that is
    -- earlier or acquired_at is missing; a customer acquired after the as-of date without an
    -- order by then does not exist yet. Without either date it is evaluated from as-of only.
    select
        customers.customer_id,
        case
            when customers.acquired_at is null and first_orders.first_order_date is null
                then {{ crm_as_of_date() }}
            when customers.acquired_at is null then first_orders.first_order_date
            when first_orders.first_order_date < customers.acquired_at then first_orders.first_order_date
            else customers.acquired_at
        end as first_state_date,
        first_orders.first_order_date
    from customers
    left join first_orders on customers.customer_id = first_orders.customer_id

),

existing_customers as (

    select * from customer_starts
    where first_state_date <= {{ crm_as_of_date() }}

),

activity_offsets as (

    -- days after an activity on which a rule window lets it go
    select
        'order' as activity_type,
        0 as offset_days
    union all
    select
        'order' as activity_type,
        {{ var('at_risk_inactive_days') }} as offset_days
    union all
    select
        'order' as activity_type,
        {{ var('churn_inactive_days') }} as offset_days
    union all
    select
        'order' as activity_type,
        {{ var('spend_window_days') }} as offset_days
    union all
    select
        'order' as activity_type,
        {{ 2 * var('spend_window_days') }} as offset_days
    union all
    select
        'complaint' as activity_type,
        0 as offset_days
    union all
    select
        'complaint' as activity_type,
        {{ var('complaint_risk_days') }} as offset_days
    union all
    select
        'nps_response' as activity_type,
        0 as offset_days
    union all
    select
        'nps_response' as activity_type,
        {{ var('nps_window_days') }} as offset_days

),

tenure_offsets as (

    -- days after the first order on which a tenure threshold is crossed
    select {{ var('new_customer_days') }} as offset_days
    union all
    select {{ var('high_potential_tenure_days') }} as offset_days
    union all
    select {{ var('loyal_tenure_days') }} as offset_days

),

candidate_dates as (

    select
        customer_id,
        first_state_date as evaluation_date
    from existing_customers

    union all

    select
        customer_id,
        {{ crm_as_of_date() }} as evaluation_date
    from existing_customers

    union all

    select
        existing_customers.customer_id,
        quarters.quarter_start as evaluation_date
    from existing_customers
    inner join quarters
        on
            existing_customers.first_state_date <= quarters.quarter_start
            and quarters.quarter_start <= {{ crm_as_of_date() }}

    union all

    select
        existing_customers.customer_id,
        quarters.quarter_end as evaluation_date
    from existing_customers
    inner join quarters
        on
            existing_customers.first_state_date <= quarters.quarter_end
            and quarters.quarter_end <= {{ crm_as_of_date() }}

    union all

    select
        activities.customer_id,
        cast({{ dbt.dateadd('day', 'activity_offsets.offset_days', 'activities.activity_date') }} as date)
            as evaluation_date
    from activities
    inner join activity_offsets on activities.activity_type = activity_offsets.activity_type

    union all

    select
        existing_customers.customer_id,
        cast({{ dbt.dateadd('day', 'tenure_offsets.offset_days', 'existing_customers.first_order_date') }} as date)
            as evaluation_date
    from existing_customers
    cross join tenure_offsets
    where existing_customers.first_order_date is not null

),

in_range as (

    select
        candidate_dates.customer_id,
        candidate_dates.evaluation_date
    from candidate_dates
    inner join existing_customers
        on candidate_dates.customer_id = existing_customers.customer_id
    where
        candidate_dates.evaluation_date >= existing_customers.first_state_date
        and candidate_dates.evaluation_date <= {{ crm_as_of_date() }}
    group by
        candidate_dates.customer_id,
        candidate_dates.evaluation_date

),

final as (

    select
        customer_id,
        evaluation_date,
        evaluation_date = cast({{ dbt.last_day('evaluation_date', 'quarter') }} as date) as is_quarter_end,
        evaluation_date = {{ crm_as_of_date() }} as is_as_of_date
    from in_range

)

select * from final
