{%- set horizon_end = dbt.dateadd('day', var('worklist_horizon_days'), crm_as_of_date()) -%}

with

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

sales_reps as (

    select * from {{ ref('stg_crm__sales_reps') }}

),

customer_states as (

    select * from {{ ref('int_customer_states_historized') }}

),

cadence as (

    select * from {{ ref('fct_cadence_compliance') }}

),

interactions as (

    select * from {{ ref('fct_interactions') }}

),

interaction_details as (

    select * from {{ ref('int_interactions_classified') }}

),

orders as (

    select * from {{ ref('int_orders_sequenced') }}

),

cadence_channels as (

    select * from {{ ref('policy_cadence_channels') }}

),

codes as (

    select * from {{ ref('ref_codes') }}

),

current_states as (

    select
        customer_id,
        value_tier,
        tier_rank,
        lifecycle_stage,
        cadence_policy_code,
        period_grain
    from customer_states
    where
        valid_from <= {{ crm_as_of_date() }}
        and (valid_to is null or valid_to > {{ crm_as_of_date() }})

),

policy_channel_lists as (

    select
        cadence_channels.policy_code,
        {{ dbt.listagg('cadence_channels.channel', "', '", 'order by channel_codes.sort_order') }}
            as required_channels,
        {{ dbt.listagg('channel_codes.label_zh', "'、'", 'order by channel_codes.sort_order') }}
            as required_channels_label_zh
    from cadence_channels
    inner join codes as channel_codes
        on
            channel_codes.code_list = 'channel'
            and cadence_channels.channel = channel_codes.code
    group by cadence_channels.policy_code

),

current_periods as (

    -- the current period of the customer's current policy, with the period before it
    select
        current_states.customer_id,
        current_period.cadence_policy_code,
        current_period.period_grain,
        current_period.period_end,
        current_period.period_status,
        current_period.days_since_previous_touch,
        previous_period.period_end as previous_period_end,
        previous_period.period_status as previous_period_status
    from current_states
    inner join cadence as current_period
        on
            current_states.customer_id = current_period.customer_id
            and current_states.period_grain = current_period.period_grain
            and current_period.is_current_period
    left join cadence as previous_period
        on
            current_period.customer_id = previous_period.customer_id
            and current_period.period_grain = previous_period.period_grain
            and previous_period.period_end = {{ dbt.dateadd('day', -1, 'current_period.period_start') }}

),

cadence_tasks as (

    select
        customer_id,
        case
            when previous_period_status = 'missed' then 'cadence_overdue'
            else 'cadence_due'
        end as task_type,
        case
            when previous_period_status = 'missed' then previous_period_end
            else period_end
        end as due_date,
        cadence_policy_code,
        period_grain,
        period_end,
        days_since_previous_touch,
        cast(null as {{ dbt.type_string() }}) as interaction_id,
        cast(null as {{ dbt.type_string() }}) as next_action
    from current_periods
    where
        period_status = 'due'
        and (
            previous_period_status = 'missed'
            or period_end <= {{ horizon_end }}
        )

),

next_action_tasks as (

    -- an unmet next action with no later contact at all; the earliest due per customer
    select
        customer_id,
        task_type,
        next_action_due as due_date,
        cast(null as {{ dbt.type_string() }}) as cadence_policy_code,
        cast(null as {{ dbt.type_string() }}) as period_grain,
        cast(null as date) as period_end,
        cast(null as {{ dbt.type_int() }}) as days_since_previous_touch,
        interaction_id,
        cast(null as {{ dbt.type_string() }}) as next_action
    from (
        select
            customer_id,
            interaction_id,
            next_action_due,
            case
                when next_action_due < {{ crm_as_of_date() }} then 'next_action_overdue'
                else 'next_action_due'
            end as task_type,
            row_number() over (
                partition by customer_id
                order by next_action_due asc, occurred_at desc, interaction_id asc
            ) as due_rank
        from interactions
        where
            next_action_due is not null
            and next_interaction_at is null
            and next_action_due <= {{ horizon_end }}
    ) as open_actions
    where due_rank = 1

),

first_orders as (

    select
        customer_id,
        order_date as first_order_date
    from orders
    where is_first_order

),

callbacks_done as (

    select distinct customer_id
    from interactions
    where is_new_customer_callback

),

callback_tasks as (

    select
        first_orders.customer_id,
        'new_customer_callback' as task_type,
        cast(
            {{ dbt.dateadd('day', var('new_customer_callback_days'), 'first_orders.first_order_date') }}
            as date
        ) as due_date,
        cast(null as {{ dbt.type_string() }}) as cadence_policy_code,
        cast(null as {{ dbt.type_string() }}) as period_grain,
        cast(null as date) as period_end,
        cast(null as {{ dbt.type_int() }}) as days_since_previous_touch,
        cast(null as {{ dbt.type_string() }}) as interaction_id,
        cast(null as {{ dbt.type_string() }}) as next_action
    from first_orders
    left join callbacks_done
        on first_orders.customer_id = callbacks_done.customer_id
    where
        callbacks_done.customer_id is null
        and {{ dbt.dateadd('day', var('new_customer_callback_days'), 'first_orders.first_order_date') }}
        >= {{ crm_as_of_date() }}

),

care_dates as (

    select
        customer_id,
        'care_birthday' as task_type,
        contact_birthday as original_date,
        cast(
            {{ dbt.datediff('contact_birthday', crm_as_of_date(), 'year') }}
            as {{ dbt.type_int() }}
        ) as years_since
    from customers
    where
        contact_birthday is not null
        and (acquired_at is null or acquired_at <= {{ crm_as_of_date() }})

    union all

    select
        customer_id,
        'care_anniversary' as task_type,
        founded_on as original_date,
        cast(
            {{ dbt.datediff('founded_on', crm_as_of_date(), 'year') }}
            as {{ dbt.type_int() }}
        ) as years_since
    from customers
    where
        founded_on is not null
        and founded_on <= {{ crm_as_of_date() }}
        and (acquired_at is null or acquired_at <= {{ crm_as_of_date() }})

),

year_offsets as (

    select 0 as year_offset
    union all
    select 1 as year_offset

),

care_occurrences as (

    -- this year's and next year's occurrence (a 29 February falls on 28 February)
    select
        care_dates.customer_id,
        care_dates.task_type,
        cast(
            {{ dbt.dateadd('year', 'care_dates.years_since + year_offsets.year_offset', 'care_dates.original_date') }}
            as date
        ) as occurrence_date,
        care_dates.years_since + year_offsets.year_offset as years_count
    from care_dates
    cross join year_offsets

),

care_tasks as (

    select
        customer_id,
        task_type,
        occurrence_date as due_date,
        cast(null as {{ dbt.type_string() }}) as cadence_policy_code,
        cast(null as {{ dbt.type_string() }}) as period_grain,
        cast(null as date) as period_end,
        cast(null as {{ dbt.type_int() }}) as days_since_previous_touch,
        cast(null as {{ dbt.type_string() }}) as interaction_id,
        cast(null as {{ dbt.type_string() }}) as next_action
    from care_occurrences
    where
        occurrence_date >= {{ crm_as_of_date() }}
        and occurrence_date <= {{ dbt.dateadd('day', var('care_reminder_days'), crm_as_of_date()) }}
        and (task_type = 'care_birthday' or years_count >= 1)

),

churn_tasks as (

    select
        customer_id,
        'churn_warning' as task_type,
        {{ crm_as_of_date() }} as due_date,
        cast(null as {{ dbt.type_string() }}) as cadence_policy_code,
        cast(null as {{ dbt.type_string() }}) as period_grain,
        cast(null as date) as period_end,
        cast(null as {{ dbt.type_int() }}) as days_since_previous_touch,
        cast(null as {{ dbt.type_string() }}) as interaction_id,
        cast(null as {{ dbt.type_string() }}) as next_action
    from current_states
    where lifecycle_stage = 'at_risk'

),

tasks as (

    select * from cadence_tasks
    union all
    select * from next_action_tasks
    union all
    select * from callback_tasks
    union all
    select * from care_tasks
    union all
    select * from churn_tasks

),

last_contacts as (

    select
        customer_id,
        max(occurred_on) as last_interaction_on
    from interactions
    group by customer_id

),

last_orders as (

    select
        customer_id,
        max(order_date) as last_order_date
    from orders
    where is_completed
    group by customer_id

),

enriched as (

    select
        customers.owner_rep_id as rep_id,
        sales_reps.rep_name,
        sales_reps.team,
        tasks.customer_id,
        customers.customer_name,
        customers.contact_name,
        customers.phone,
        current_states.value_tier,
        current_states.tier_rank,
        current_states.lifecycle_stage,
        tasks.task_type,
        task_codes.label_zh as task_type_label_zh,
        task_codes.sort_order as task_priority,
        cast(tasks.due_date as date) as due_date,
        cast(
            {{ dbt.datediff(crm_as_of_date(), 'tasks.due_date', 'day') }}
            as {{ dbt.type_int() }}
        ) as days_until_due,
        tasks.due_date < {{ crm_as_of_date() }} as is_overdue,
        tasks.cadence_policy_code,
        tasks.period_grain,
        tasks.period_end,
        policy_channel_lists.required_channels,
        policy_channel_lists.required_channels_label_zh,
        tasks.days_since_previous_touch,
        tasks.interaction_id,
        interaction_details.next_action,
        last_contacts.last_interaction_on,
        last_orders.last_order_date
    from tasks
    inner join customers
        on tasks.customer_id = customers.customer_id
    left join sales_reps
        on customers.owner_rep_id = sales_reps.rep_id
    left join current_states
        on tasks.customer_id = current_states.customer_id
    left join policy_channel_lists
        on tasks.cadence_policy_code = policy_channel_lists.policy_code
    left join interaction_details
        on tasks.interaction_id = interaction_details.interaction_id
    left join last_contacts
        on tasks.customer_id = last_contacts.customer_id
    left join last_orders
        on tasks.customer_id = last_orders.customer_id
    left join codes as task_codes
        on
            task_codes.code_list = 'worklist_task_type'
            and tasks.task_type = task_codes.code

),

ranked as (

    select
        *,
        row_number() over (
            partition by rep_id
            order by
                due_date,
                task_priority,
                coalesce(tier_rank, 99),
                customer_id
        ) as urgency_position
    from enriched

),

final as (

    select
        ranked.rep_id,
        ranked.rep_name,
        ranked.team,
        cast(ranked.urgency_position as {{ dbt.type_int() }}) as urgency_rank,
        ranked.customer_id,
        ranked.customer_name,
        ranked.contact_name,
        ranked.phone,
        ranked.value_tier,
        tier_codes.label_zh as value_tier_label_zh,
        ranked.lifecycle_stage,
        stage_codes.label_zh as lifecycle_stage_label_zh,
        ranked.task_type,
        ranked.task_type_label_zh,
        ranked.due_date,
        cast(ranked.days_until_due as {{ dbt.type_int() }}) as days_until_due,
        ranked.is_overdue,
        ranked.cadence_policy_code,
        ranked.period_grain,
        grain_codes.label_zh as period_grain_label_zh,
        ranked.period_end,
        ranked.required_channels,
        ranked.required_channels_label_zh,
        cast(ranked.days_since_previous_touch as {{ dbt.type_int() }}) as days_since_qualifying_touch,
        ranked.interaction_id as next_action_interaction_id,
        ranked.next_action,
        ranked.last_interaction_on,
        ranked.last_order_date,
        {{ crm_as_of_date() }} as as_of_date
    from ranked
    left join codes as tier_codes
        on
            tier_codes.code_list = 'value_tier'
            and ranked.value_tier = tier_codes.code
    left join codes as stage_codes
        on
            stage_codes.code_list = 'lifecycle_stage'
            and ranked.lifecycle_stage = stage_codes.code
    left join codes as grain_codes
        on
            grain_codes.code_list = 'period_grain'
            and ranked.period_grain = grain_codes.code

)

select * from final
