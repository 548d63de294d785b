{#- Built incrementally (crm_reprocess_config): each night only the rows of changed customers
    and the rows still open on the last night (a planned touch whose ±window was still open (or not yet planned)) are computed again. -#}
{%- set open_rows = 'window_end >= {last_as_of}' -%}
{{ config(**crm_reprocess_config('customer_id', open_rows)) }}

with

plans as (

    select * from {{ ref('stg_crm__maintenance_plan') }}

),

interactions as (

    select * from {{ ref('int_interactions_classified') }}

),

customer_states as (

    select * from {{ ref('int_customer_states_historized') }}

),

cadence_policies as (

    select * from {{ ref('policy_cadence') }}

),

cadence_channels as (

    select * from {{ ref('policy_cadence_channels') }}

),

codes as (

    select * from {{ ref('ref_codes') }}

),

deep_channels as (

    -- precise reading 11: a top-tier (rank 1) customer's planned touch needs a channel of
    -- the top tier's cadence policy (default visit, video)
    select distinct cadence_channels.channel
    from cadence_policies
    inner join cadence_channels
        on cadence_policies.policy_code = cadence_channels.policy_code
    where
        cadence_policies.applies_to = 'tier'
        and cadence_policies.tier_rank = 1

),

plans_as_of as (

    select
        plans.plan_id,
        plans.customer_id,
        plans.rep_id,
        plans.planned_date,
        plans.channel,
        customer_states.value_tier,
        coalesce(customer_states.tier_rank = 1, false) as requires_deep_channel,
        {{ dbt.dateadd('day', -var('plan_window_days'), 'plans.planned_date') }} as window_start,
        {{ dbt.dateadd('day', var('plan_window_days'), 'plans.planned_date') }} as window_end
    from plans
    left join customer_states
        on
            plans.customer_id = customer_states.customer_id
            and plans.planned_date >= customer_states.valid_from
            -- an open interval (valid_to null) runs past the night being built; coalesce keeps
            -- this an equi + range join (an OR here forces a nested-loop join)
            and plans.planned_date < coalesce(
                customer_states.valid_to,
                cast({{ dbt.dateadd('day', 1, crm_as_of_date()) }} as date)
            )
    where plans.planned_date <= {{ crm_as_of_date() }}

),

candidates as (

    select
        plans_as_of.plan_id,
        interactions.interaction_id,
        interactions.occurred_at,
        interactions.channel,
        cast(
            {{ dbt.datediff('plans_as_of.planned_date', 'interactions.occurred_on', 'day') }}
            as {{ dbt.type_int() }}
        ) as days_from_plan,
        row_number() over (
            partition by plans_as_of.plan_id
            order by
                abs({{ dbt.datediff('plans_as_of.planned_date', 'interactions.occurred_on', 'day') }}),
                interactions.occurred_at,
                interactions.interaction_id
        ) as candidate_rank
    from plans_as_of
    inner join interactions
        on
            plans_as_of.customer_id = interactions.customer_id
            and plans_as_of.window_start <= interactions.occurred_on
            and plans_as_of.window_end >= interactions.occurred_on
    left join deep_channels
        on interactions.channel = deep_channels.channel
    where
        not plans_as_of.requires_deep_channel
        or deep_channels.channel is not null

),

matched as (

    select
        plans_as_of.*,
        candidates.interaction_id as fulfilled_by_interaction_id,
        candidates.occurred_at as fulfilled_at,
        candidates.channel as fulfilled_channel,
        candidates.days_from_plan,
        plans_as_of.window_end >= {{ crm_as_of_date() }} as is_window_open
    from plans_as_of
    left join candidates
        on
            plans_as_of.plan_id = candidates.plan_id
            and candidates.candidate_rank = 1

),

final as (

    select
        matched.plan_id,
        matched.customer_id,
        matched.rep_id,
        matched.planned_date,
        matched.channel,
        channel_codes.label_zh as channel_label_zh,
        matched.value_tier,
        tier_codes.label_zh as value_tier_label_zh,
        matched.requires_deep_channel,
        cast(matched.window_start as date) as window_start,
        cast(matched.window_end as date) as window_end,
        matched.is_window_open,
        case
            when matched.fulfilled_by_interaction_id is not null then true
            when matched.is_window_open then null
            else false
        end as fulfilled,
        matched.fulfilled_by_interaction_id,
        matched.fulfilled_at,
        matched.fulfilled_channel,
        fulfilled_codes.label_zh as fulfilled_channel_label_zh,
        cast(matched.days_from_plan as {{ dbt.type_int() }}) as days_from_plan,
        {{ crm_as_of_date() }} as as_of_date
    from matched
    left join codes as channel_codes
        on
            channel_codes.code_list = 'channel'
            and matched.channel = channel_codes.code
    left join codes as fulfilled_codes
        on
            fulfilled_codes.code_list = 'channel'
            and matched.fulfilled_channel = fulfilled_codes.code
    left join codes as tier_codes
        on
            tier_codes.code_list = 'value_tier'
            and matched.value_tier = tier_codes.code

)

select * from final
{%- if crm_is_incremental() %}
where {{ crm_reprocess_condition('customer_id', open_rows) }}
{%- endif %}
