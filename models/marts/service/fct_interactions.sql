{#- Built incrementally (crm_reprocess_config): each night only the rows of changed customers
    and the rows still open on the last night (an interaction that became visible, or whose logging or next-action window was still open) are computed again. -#}
{%- set open_rows = 'occurred_at >= {last_as_of_end} or logged_at >= {last_as_of_end}'
    ~ ' or (logged_at is null and logging_due_at >= {last_as_of_end})'
    ~ ' or next_action_due >= {last_as_of}' -%}
{{ config(**crm_reprocess_config('customer_id', open_rows)) }}

with

interactions as (

    select * from {{ ref('int_interactions_classified') }}

),

codes as (

    select * from {{ ref('ref_codes') }}

),

touch_times as (

    -- the distinct contact moments of each customer, each with the next later one
    select
        customer_id,
        occurred_at,
        lead(occurred_at) over (
            partition by customer_id
            order by occurred_at
        ) as next_interaction_at
    from (
        select distinct
            customer_id,
            occurred_at
        from interactions
    ) as distinct_touches

),

measured as (

    select
        interactions.*,
        touch_times.next_interaction_at,
        {{ dbt.dateadd('hour', var('logging_sla_hours'), 'interactions.occurred_at') }} as logging_due_at
    from interactions
    left join touch_times
        on
            interactions.customer_id = touch_times.customer_id
            and interactions.occurred_at = touch_times.occurred_at

),

flagged as (

    select
        *,
        cast(
            {{ dbt.datediff('occurred_at', 'logged_at', 'minute') }}
            as decimal(18, 4)
        ) / 60 as logging_delay_hours,
        case
            when logged_at is not null then logged_at <= logging_due_at
            when logging_due_at < {{ service_as_of_end() }} then false
        end as logged_within_24h,
        case
            when next_action_due is null then null
            when cast(next_interaction_at as date) <= next_action_due then true
            -- the due day is still open on the night of as_of (like a current cadence period)
            when next_action_due >= {{ crm_as_of_date() }} then null
            else false
        end as next_action_met
    from measured

),

final as (

    select
        flagged.interaction_id,
        flagged.customer_id,
        flagged.rep_id,
        flagged.occurred_at,
        flagged.occurred_on,
        flagged.logged_at,
        cast(flagged.logging_delay_hours as decimal(18, 2)) as logging_delay_hours,
        cast(flagged.logging_due_at as {{ dbt.type_timestamp() }}) as logging_due_at,
        flagged.logged_within_24h,
        flagged.channel,
        channel_codes.label_zh as channel_label_zh,
        flagged.direction,
        direction_codes.label_zh as direction_label_zh,
        flagged.next_action is not null or flagged.next_action_due is not null as has_next_action,
        flagged.next_action_due,
        flagged.next_interaction_at,
        flagged.next_action_met,
        flagged.cadence_policy_code,
        flagged.value_tier,
        tier_codes.label_zh as value_tier_label_zh,
        flagged.lifecycle_stage,
        stage_codes.label_zh as lifecycle_stage_label_zh,
        flagged.is_qualifying_touch,
        flagged.first_order_date,
        flagged.is_new_customer_callback,
        {{ crm_as_of_date() }} as as_of_date
    from flagged
    left join codes as channel_codes
        on
            channel_codes.code_list = 'channel'
            and flagged.channel = channel_codes.code
    left join codes as direction_codes
        on
            direction_codes.code_list = 'direction'
            and flagged.direction = direction_codes.code
    left join codes as tier_codes
        on
            tier_codes.code_list = 'value_tier'
            and flagged.value_tier = tier_codes.code
    left join codes as stage_codes
        on
            stage_codes.code_list = 'lifecycle_stage'
            and flagged.lifecycle_stage = stage_codes.code

)

select * from final
{%- if crm_is_incremental() %}
where {{ crm_reprocess_condition('customer_id', open_rows) }}
{%- endif %}
