{#- Built incrementally (crm_reprocess_config): each night only the rows of changed customers
    and the rows still open on the last night (a period that was current (due) on the last night, or a new one) are computed again. -#}
{%- set open_rows = 'period_end >= {last_as_of}' -%}
{{ config(**crm_reprocess_config('customer_id', open_rows)) }}

with

customer_periods as (

    select * from {{ ref('int_customer_periods_assigned') }}

),

interactions as (

    select * from {{ ref('int_interactions_classified') }}

),

cadence_policies as (

    select * from {{ ref('policy_cadence') }}

),

cadence_channels as (

    select * from {{ ref('policy_cadence_channels') }}

),

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

sales_reps as (

    select * from {{ ref('stg_crm__sales_reps') }}

),

codes as (

    select * from {{ ref('ref_codes') }}

),

policy_labels as (

    select
        policy_code,
        min(label_zh) as cadence_policy_label_zh
    from cadence_policies
    group by policy_code

),

grains as (

    select distinct period_grain
    from customer_periods

),

interaction_periods as (

    -- each interaction placed in its period of every grain (an equi-join key, no range join)
    select
        interactions.interaction_id,
        interactions.customer_id,
        interactions.occurred_at,
        interactions.channel,
        grains.period_grain,
        {{ service_period_start('grains.period_grain', 'interactions.occurred_on') }} as period_start
    from interactions
    cross join grains

),

period_touches as (

    select
        customer_periods.customer_id,
        customer_periods.period_grain,
        customer_periods.period_start,
        count(interaction_periods.interaction_id) as all_touches,
        count(cadence_channels.channel) as qualifying_touches,
        min(case when cadence_channels.channel is not null then interaction_periods.occurred_at end)
            as first_touch_at
    from customer_periods
    left join interaction_periods
        on
            customer_periods.customer_id = interaction_periods.customer_id
            and customer_periods.period_grain = interaction_periods.period_grain
            and customer_periods.period_start = interaction_periods.period_start
    left join cadence_channels
        on
            customer_periods.cadence_policy_code = cadence_channels.policy_code
            and interaction_periods.channel = cadence_channels.channel
    group by
        customer_periods.customer_id,
        customer_periods.period_grain,
        customer_periods.period_start

),

customer_policies as (

    select distinct
        customer_id,
        cadence_policy_code
    from customer_periods

),

timeline as (

    -- qualifying touches (per policy) and period evaluation dates on one time line per
    -- customer and policy; a running max gives the last touch on or before each evaluation
    select
        customer_policies.customer_id,
        customer_policies.cadence_policy_code,
        interactions.occurred_on as event_date,
        0 as event_order,
        interactions.occurred_at as touch_at,
        cast(null as {{ dbt.type_string() }}) as period_grain,
        cast(null as date) as period_start
    from customer_policies
    inner join interactions
        on customer_policies.customer_id = interactions.customer_id
    inner join cadence_channels
        on
            customer_policies.cadence_policy_code = cadence_channels.policy_code
            and interactions.channel = cadence_channels.channel

    union all

    select
        customer_id,
        cadence_policy_code,
        evaluation_date as event_date,
        1 as event_order,
        cast(null as {{ dbt.type_timestamp() }}) as touch_at,
        period_grain,
        period_start
    from customer_periods

),

last_touches as (

    select
        customer_id,
        period_grain,
        period_start,
        last_touch_at
    from (
        select
            customer_id,
            period_grain,
            period_start,
            event_order,
            max(touch_at) over (
                partition by customer_id, cadence_policy_code
                order by event_date, event_order
                rows between unbounded preceding and current row
            ) as last_touch_at
        from timeline
    ) as running
    where event_order = 1

),

evaluated as (

    select
        customer_periods.*,
        period_touches.all_touches,
        period_touches.qualifying_touches,
        period_touches.first_touch_at,
        last_touches.last_touch_at,
        case
            when period_touches.qualifying_touches >= customer_periods.required_touches then 'compliant'
            when customer_periods.is_current_period then 'due'
            else 'missed'
        end as period_status
    from customer_periods
    inner join period_touches
        on
            customer_periods.customer_id = period_touches.customer_id
            and customer_periods.period_grain = period_touches.period_grain
            and customer_periods.period_start = period_touches.period_start
    left join last_touches
        on
            customer_periods.customer_id = last_touches.customer_id
            and customer_periods.period_grain = last_touches.period_grain
            and customer_periods.period_start = last_touches.period_start

),

final as (

    select
        evaluated.customer_id,
        customers.owner_rep_id,
        sales_reps.team,
        evaluated.value_tier,
        tier_codes.label_zh as value_tier_label_zh,
        evaluated.lifecycle_stage,
        stage_codes.label_zh as lifecycle_stage_label_zh,
        evaluated.segment,
        segment_codes.label_zh as segment_label_zh,
        evaluated.cadence_policy_code,
        policy_labels.cadence_policy_label_zh,
        evaluated.period_grain,
        grain_codes.label_zh as period_grain_label_zh,
        evaluated.period_start,
        evaluated.period_end,
        evaluated.evaluation_date,
        evaluated.is_current_period,
        not evaluated.is_current_period as is_closed,
        cast(evaluated.required_touches as {{ dbt.type_int() }}) as required_touches,
        cast(evaluated.qualifying_touches as {{ dbt.type_int() }}) as qualifying_touches,
        cast(evaluated.all_touches as {{ dbt.type_int() }}) as all_touches,
        evaluated.first_touch_at,
        evaluated.last_touch_at,
        cast(
            {{ dbt.datediff('cast(evaluated.last_touch_at as date)', 'evaluated.evaluation_date', 'day') }}
            as {{ dbt.type_int() }}
        ) as days_since_previous_touch,
        evaluated.period_status,
        status_codes.label_zh as period_status_label_zh,
        case evaluated.period_status
            when 'compliant' then true
            when 'missed' then false
        end as is_compliant,
        evaluated.policy_applied_from,
        evaluated.policy_applied_to,
        cast(evaluated.policy_applied_days as {{ dbt.type_int() }}) as policy_applied_days,
        evaluated.is_policy_change_period,
        {{ crm_as_of_date() }} as as_of_date
    from evaluated
    left join customers
        on evaluated.customer_id = customers.customer_id
    left join sales_reps
        on customers.owner_rep_id = sales_reps.rep_id
    left join policy_labels
        on evaluated.cadence_policy_code = policy_labels.policy_code
    left join codes as tier_codes
        on
            tier_codes.code_list = 'value_tier'
            and evaluated.value_tier = tier_codes.code
    left join codes as stage_codes
        on
            stage_codes.code_list = 'lifecycle_stage'
            and evaluated.lifecycle_stage = stage_codes.code
    left join codes as segment_codes
        on
            segment_codes.code_list = 'segment'
            and evaluated.segment = segment_codes.code
    left join codes as grain_codes
        on
            grain_codes.code_list = 'period_grain'
            and evaluated.period_grain = grain_codes.code
    left join codes as status_codes
        on
            status_codes.code_list = 'period_status'
            and evaluated.period_status = status_codes.code

)

select * from final
{%- if crm_is_incremental() %}
where {{ crm_reprocess_condition('customer_id', open_rows) }}
{%- endif %}
