with

interactions as (

    select * from {{ ref('stg_crm__interactions') }}

),

customer_states as (

    select * from {{ ref('int_customer_states_historized') }}

),

cadence_channels as (

    select * from {{ ref('policy_cadence_channels') }}

),

orders as (

    select * from {{ ref('int_orders_sequenced') }}

),

interactions_as_of as (

    -- a record that happened or was written after the night being built was not known that night
    select
        interaction_id,
        customer_id,
        rep_id,
        occurred_at,
        cast(occurred_at as date) as occurred_on,
        logged_at,
        channel,
        direction,
        next_action,
        next_action_due
    from interactions
    where
        occurred_at < {{ service_as_of_end() }}
        and (logged_at is null or logged_at < {{ service_as_of_end() }})

),

first_orders as (

    select
        customer_id,
        order_date as first_order_date
    from orders
    where is_first_order

),

classified as (

    select
        interactions_as_of.interaction_id,
        interactions_as_of.customer_id,
        interactions_as_of.rep_id,
        interactions_as_of.occurred_at,
        interactions_as_of.occurred_on,
        interactions_as_of.logged_at,
        interactions_as_of.channel,
        interactions_as_of.direction,
        interactions_as_of.next_action,
        interactions_as_of.next_action_due,
        customer_states.value_tier,
        customer_states.tier_rank,
        customer_states.segment,
        customer_states.lifecycle_stage,
        customer_states.cadence_policy_code,
        cadence_channels.channel is not null as is_qualifying_touch,
        first_orders.first_order_date,
        coalesce(
            interactions_as_of.occurred_on > first_orders.first_order_date
            and interactions_as_of.occurred_on
            <= {{ dbt.dateadd('day', var('new_customer_callback_days'), 'first_orders.first_order_date') }},
            false
        ) as is_new_customer_callback
    from interactions_as_of
    left join customer_states
        on
            interactions_as_of.customer_id = customer_states.customer_id
            and interactions_as_of.occurred_on >= customer_states.valid_from
            -- an open interval (valid_to null) runs past the night being built; coalesce keeps
            -- this an equi + range join (an OR here forces a nested-loop join)
            and interactions_as_of.occurred_on < coalesce(
                customer_states.valid_to,
                cast({{ dbt.dateadd('day', 1, crm_as_of_date()) }} as date)
            )
    left join cadence_channels
        on
            customer_states.cadence_policy_code = cadence_channels.policy_code
            and interactions_as_of.channel = cadence_channels.channel
    left join first_orders
        on interactions_as_of.customer_id = first_orders.customer_id

),

final as (

    select * from classified

)

select * from final
