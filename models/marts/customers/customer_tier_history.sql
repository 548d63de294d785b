{#- 客户分级历史 — one row per customer per validity interval [valid_from, valid_to) of its
    value tier, segment and lifecycle stage (valid_to null = current), with the reason of the
    change that opened the interval. Pending top-tier downgrades are flagged here and listed
    in fct_tier_reviews. -#}

with

states as (

    select * from {{ ref('int_customer_states_historized') }}

),

codes as (

    select * from {{ ref('ref_codes') }}

),

cadence_policies as (

    select * from {{ ref('policy_cadence') }}

),

cadence_labels as (

    select
        policy_code,
        max(label_zh) as label_zh
    from cadence_policies
    group by policy_code

),

final as (

    select
        states.customer_id,
        states.valid_from,
        states.valid_to,
        states.is_current,
        states.value_tier,
        value_tier_codes.label_zh as value_tier_label_zh,
        states.tier_rank,
        states.segment,
        segment_codes.label_zh as segment_label_zh,
        states.lifecycle_stage,
        lifecycle_stage_codes.label_zh as lifecycle_stage_label_zh,
        states.change_reason,
        change_reason_codes.label_zh as change_reason_label_zh,
        states.previous_value_tier,
        previous_value_tier_codes.label_zh as previous_value_tier_label_zh,
        states.previous_segment,
        previous_segment_codes.label_zh as previous_segment_label_zh,
        states.previous_lifecycle_stage,
        previous_lifecycle_stage_codes.label_zh as previous_lifecycle_stage_label_zh,
        states.is_downgrade_pending,
        states.pending_value_tier,
        pending_value_tier_codes.label_zh as pending_value_tier_label_zh,
        states.approved_review_id,
        states.cadence_policy_code,
        cadence_labels.label_zh as cadence_policy_label_zh,
        states.period_grain,
        period_grain_codes.label_zh as period_grain_label_zh,
        states.required_touches
    from states
    left join codes as value_tier_codes
        on value_tier_codes.code_list = 'value_tier' and states.value_tier = value_tier_codes.code
    left join codes as segment_codes
        on segment_codes.code_list = 'segment' and states.segment = segment_codes.code
    left join codes as lifecycle_stage_codes
        on lifecycle_stage_codes.code_list = 'lifecycle_stage' and states.lifecycle_stage = lifecycle_stage_codes.code
    left join codes as change_reason_codes
        on change_reason_codes.code_list = 'tier_change_reason' and states.change_reason = change_reason_codes.code
    left join codes as previous_value_tier_codes
        on
            previous_value_tier_codes.code_list = 'value_tier'
            and states.previous_value_tier = previous_value_tier_codes.code
    left join codes as previous_segment_codes
        on previous_segment_codes.code_list = 'segment' and states.previous_segment = previous_segment_codes.code
    left join codes as previous_lifecycle_stage_codes
        on
            previous_lifecycle_stage_codes.code_list = 'lifecycle_stage'
            and states.previous_lifecycle_stage = previous_lifecycle_stage_codes.code
    left join codes as pending_value_tier_codes
        on
            pending_value_tier_codes.code_list = 'value_tier'
            and states.pending_value_tier = pending_value_tier_codes.code
    left join codes as period_grain_codes
        on period_grain_codes.code_list = 'period_grain' and states.period_grain = period_grain_codes.code
    left join cadence_labels on states.cadence_policy_code = cadence_labels.policy_code

)

select * from final
