{#- The current state of each customer that exists on the as-of date (its as-of evaluation
    and its current interval of the state history) with one line per rule saying why, in
    English and Chinese: value tier (including a tier kept until the quarter-end review or
    pending approval), segment and lifecycle stage, each naming the rule and its numbers. -#}
{%- set window_days = var('spend_window_days') -%}
{%- set high_value_stable_spend_text = '{:,}'.format(var('high_value_stable_spend')) -%}
{%- set high_potential_spend_text = '{:,}'.format(var('high_potential_spend')) -%}
{%- set high_potential_growth_pct_text = '{:g}'.format(var('high_potential_growth') * 100) -%}

with

evaluated as (

    select * from {{ ref('int_customer_states_evaluated') }}

),

states as (

    select * from {{ ref('int_customer_states_historized') }}

),

value_tiers as (

    select * from {{ ref('policy_value_tiers') }}

),

scheme as (

    select * from value_tiers
    where scheme = '{{ var("value_tier_scheme") }}'

),

current_measures as (

    select * from evaluated
    where is_as_of_date

),

current_states as (

    select * from states
    where valid_to is null

),

joined as (

    select
        current_measures.customer_id,
        current_measures.is_strategic,
        current_measures.first_order_date,
        current_measures.last_order_date,
        current_measures.tenure_days,
        current_measures.days_since_last_order,
        current_measures.annual_spend,
        current_measures.previous_annual_spend,
        current_measures.spend_growth,
        current_measures.orders_last_365d,
        current_measures.orders_prev_365d,
        current_measures.quarters_with_orders,
        current_measures.complaints_last_90d,
        current_measures.last_complaint_on,
        current_measures.nps_responses_365d,
        current_measures.customer_nps,
        current_measures.spend_rank,
        current_measures.spenders_count,
        current_measures.spend_tier_rank,
        current_measures.rule_tier_rank,
        current_measures.rule_value_tier,
        current_measures.has_recent_complaint,
        current_measures.is_nps_risk,
        current_measures.is_frequency_drop,
        current_measures.segment,
        current_measures.lifecycle_stage,
        current_states.value_tier,
        current_states.tier_rank,
        current_states.is_downgrade_pending,
        current_states.pending_value_tier,
        current_states.valid_from as state_valid_from,
        spend_rule.rule_type as spend_rule_type,
        spend_rule.threshold as spend_rule_threshold,
        missed_rule.rule_type as missed_rule_type,
        missed_rule.threshold as missed_rule_threshold
    from current_measures
    left join current_states on current_measures.customer_id = current_states.customer_id
    left join scheme as spend_rule on current_measures.spend_tier_rank = spend_rule.tier_rank
    -- the rule a customer misses: that of the tier it keeps until the quarter-end review, or
    -- that of the tier just above its rule tier
    left join scheme as missed_rule
        on
            case
                when current_measures.spend_tier_rank > current_states.tier_rank then current_states.tier_rank
                else current_measures.spend_tier_rank - 1
            end = missed_rule.tier_rank

),

formatted as (

    select
        *,
        {{ crm_format_number('annual_spend') }} as annual_spend_text,
        {{ crm_format_number('spend_rule_threshold') }} as spend_rule_threshold_text,
        {{ crm_format_number('missed_rule_threshold') }} as missed_rule_threshold_text,
        {{ crm_format_number('round(customer_nps, 2)') }} as customer_nps_text,
        {{ crm_format_number('round(spend_growth * 100, 2)') }} as spend_growth_pct_text,
        {{ crm_format_number('round(100.0 * spend_rank / spenders_count, 2)') }} as spend_top_pct_text,
        {{ crm_format_number('spend_rule_threshold * 100') }} as spend_rule_top_pct_text,
        {{ crm_format_number('missed_rule_threshold * 100') }} as missed_rule_top_pct_text,
        cast(spend_rank as {{ dbt.type_string() }}) as spend_rank_text,
        cast(spenders_count as {{ dbt.type_string() }}) as spenders_count_text,
        cast(nps_responses_365d as {{ dbt.type_string() }}) as nps_responses_text,
        cast(orders_last_365d as {{ dbt.type_string() }}) as orders_last_text,
        cast(orders_prev_365d as {{ dbt.type_string() }}) as orders_prev_text,
        cast(quarters_with_orders as {{ dbt.type_string() }}) as quarters_with_orders_text,
        cast(last_complaint_on as {{ dbt.type_string() }}) as last_complaint_on_text,
        cast(tenure_days as {{ dbt.type_string() }}) as tenure_days_text,
        cast(days_since_last_order as {{ dbt.type_string() }}) as days_since_last_order_text,
        cast(first_order_date as {{ dbt.type_string() }}) as first_order_date_text,
        cast(last_order_date as {{ dbt.type_string() }}) as last_order_date_text
    from joined

),

tier_reasons as (

    select
        *,
        case
            when missed_rule_type = 'annual_spend_at_least'
                then {{ dbt.concat(["'annual spend '", "annual_spend_text", "' < '",
                    "missed_rule_threshold_text"]) }}
            when missed_rule_type = 'top_share_of_spenders' and spend_rank is null
                then 'no spend in the last {{ window_days }} days'
            when missed_rule_type = 'top_share_of_spenders'
                then {{ dbt.concat(["'spend rank '", "spend_rank_text",
                    "' of '", "spenders_count_text",
                    "' spenders (top '", "spend_top_pct_text", "' %) outside top '",
                    "missed_rule_top_pct_text", "' %'"]) }}
        end as missed_rule_reason,
        case
            when missed_rule_type = 'annual_spend_at_least'
                then {{ dbt.concat(["'近" ~ window_days ~ "天消费 '", "annual_spend_text", "' < '",
                    "missed_rule_threshold_text"]) }}
            when missed_rule_type = 'top_share_of_spenders' and spend_rank is null
                then '近{{ window_days }}天无消费'
            when missed_rule_type = 'top_share_of_spenders'
                then {{ dbt.concat(["'消费排名 '", "spend_rank_text",
                    "'/'", "spenders_count_text",
                    "'（前 '", "spend_top_pct_text", "'%）未进前 '",
                    "missed_rule_top_pct_text", "'%'"]) }}
        end as missed_rule_reason_zh,
        case
            when rule_tier_rank is null then 'no value-tier rule matched (check var value_tier_scheme)'
            when spend_tier_rank != rule_tier_rank then 'strategic account'
            when spend_rule_type = 'annual_spend_at_least'
                then {{ dbt.concat(["'annual spend '", "annual_spend_text", "' >= '",
                    "spend_rule_threshold_text"]) }}
            when spend_rule_type = 'top_share_of_spenders'
                then {{ dbt.concat(["'spend rank '", "spend_rank_text",
                    "' of '", "spenders_count_text",
                    "' spenders (top '", "spend_top_pct_text", "' %) within top '",
                    "spend_rule_top_pct_text", "' %'"]) }}
        end as met_rule_reason,
        case
            when rule_tier_rank is null then '无匹配的分级规则（请检查 value_tier_scheme）'
            when spend_tier_rank != rule_tier_rank then '战略客户'
            when spend_rule_type = 'annual_spend_at_least'
                then {{ dbt.concat(["'近" ~ window_days ~ "天消费 '", "annual_spend_text", "' ≥ '",
                    "spend_rule_threshold_text"]) }}
            when spend_rule_type = 'top_share_of_spenders'
                then {{ dbt.concat(["'消费排名 '", "spend_rank_text",
                    "'/'", "spenders_count_text",
                    "'（前 '", "spend_top_pct_text", "'%）进入前 '",
                    "spend_rule_top_pct_text", "'%'"]) }}
        end as met_rule_reason_zh
    from formatted

),

reasoned as (

    select
        *,
        case
            when is_downgrade_pending
                then {{ dbt.concat(["'kept '", "value_tier", "': downgrade to '",
                    "pending_value_tier", "' pending approval ('",
                    "missed_rule_reason", "')'"]) }}
            when tier_rank < rule_tier_rank
                then {{ dbt.concat(["'kept '", "value_tier",
                    "' until the quarter-end review ('", "missed_rule_reason", "')'"]) }}
            when spend_rule_type = 'otherwise' and missed_rule_reason is not null
                and spend_tier_rank = rule_tier_rank
                then missed_rule_reason
            else met_rule_reason
        end as value_tier_reason,
        case
            when is_downgrade_pending
                then {{ dbt.concat(["'保持 '", "value_tier", "'：降级至 '",
                    "pending_value_tier", "' 待审批（'",
                    "missed_rule_reason_zh", "'）'"]) }}
            when tier_rank < rule_tier_rank
                then {{ dbt.concat(["'保持 '", "value_tier",
                    "' 至季末复核（'", "missed_rule_reason_zh", "'）'"]) }}
            when spend_rule_type = 'otherwise' and missed_rule_reason_zh is not null
                and spend_tier_rank = rule_tier_rank
                then missed_rule_reason_zh
            else met_rule_reason_zh
        end as value_tier_reason_zh,
        case
            when segment = 'satisfaction_risk' and has_recent_complaint
                then {{ dbt.concat(["'complaint opened on '",
                    "last_complaint_on_text",
                    "' (within " ~ var('complaint_risk_days') ~ " days)'"]) }}
            when segment = 'satisfaction_risk' and is_nps_risk
                then {{ dbt.concat(["'customer NPS '", "customer_nps_text",
                    "' < " ~ var('nps_risk_below') ~ " (NPS responses in the last " ~ var('nps_window_days') ~ " days: '",
                    "nps_responses_text", "')'"]) }}
            when segment = 'satisfaction_risk'
                then {{ dbt.concat(["'orders fell to '",
                    "orders_last_text",
                    "' from '", "orders_prev_text",
                    "' in the previous " ~ window_days ~ " days (< " ~ var('frequency_drop_ratio')
                    ~ " x previous)'"]) }}
            when segment = 'high_value_stable'
                then {{ dbt.concat(["'annual spend '", "annual_spend_text",
                    "' >= " ~ high_value_stable_spend_text ~ ", tenure '", "tenure_days_text",
                    "' >= " ~ var('loyal_tenure_days') ~ " days, '",
                    "case when nps_responses_365d = 0 then 'no NPS response' else "
                    ~ dbt.concat(["'NPS '", "customer_nps_text",
                        "' >= " ~ var('nps_stable_at_least') ~ "'"]) ~ " end"]) }}
            when
                segment = 'high_potential'
                and annual_spend >= {{ var('high_potential_spend') }}
                then {{ dbt.concat(["'annual spend '", "annual_spend_text",
                    "' >= " ~ high_potential_spend_text ~ "'"]) }}
            when segment = 'high_potential'
                then {{ dbt.concat(["'tenure '", "tenure_days_text",
                    "' < " ~ var('high_potential_tenure_days') ~ " days and spend growth '",
                    "spend_growth_pct_text",
                    "' % >= " ~ high_potential_growth_pct_text ~ " %'"]) }}
            when segment = 'standard'
                then {{ dbt.concat(["'completed orders, no other segment rule met (annual spend '",
                    "annual_spend_text", "')'"]) }}
            else 'no completed order'
        end as segment_reason,
        case
            when segment = 'satisfaction_risk' and has_recent_complaint
                then {{ dbt.concat(["'近" ~ var('complaint_risk_days') ~ "天内有投诉（'",
                    "last_complaint_on_text", "'）'"]) }}
            when segment = 'satisfaction_risk' and is_nps_risk
                then {{ dbt.concat(["'近" ~ var('nps_window_days') ~ "天客户NPS '", "customer_nps_text",
                    "' < " ~ var('nps_risk_below') ~ "（'",
                    "nps_responses_text", "' 份问卷）'"]) }}
            when segment = 'satisfaction_risk'
                then {{ dbt.concat(["'近" ~ window_days ~ "天订单 '",
                    "orders_last_text",
                    "' 笔，少于上期 '", "orders_prev_text",
                    "' 笔的 " ~ var('frequency_drop_ratio') ~ " 倍'"]) }}
            when segment = 'high_value_stable'
                then {{ dbt.concat(["'近" ~ window_days ~ "天消费 '", "annual_spend_text",
                    "' ≥ " ~ high_value_stable_spend_text ~ "，合作 '", "tenure_days_text",
                    "' 天 ≥ " ~ var('loyal_tenure_days') ~ "，'",
                    "case when nps_responses_365d = 0 then '无NPS回复' else "
                    ~ dbt.concat(["'NPS '", "customer_nps_text",
                        "' ≥ " ~ var('nps_stable_at_least') ~ "'"]) ~ " end"]) }}
            when
                segment = 'high_potential'
                and annual_spend >= {{ var('high_potential_spend') }}
                then {{ dbt.concat(["'近" ~ window_days ~ "天消费 '", "annual_spend_text",
                    "' ≥ " ~ high_potential_spend_text ~ "'"]) }}
            when segment = 'high_potential'
                then {{ dbt.concat(["'合作 '", "tenure_days_text",
                    "' 天 < " ~ var('high_potential_tenure_days') ~ " 且消费增长 '",
                    "spend_growth_pct_text",
                    "'% ≥ " ~ high_potential_growth_pct_text ~ "%'"]) }}
            when segment = 'standard'
                then {{ dbt.concat(["'有成交订单，未满足其他分层条件（近" ~ window_days ~ "天消费 '",
                    "annual_spend_text", "'）'"]) }}
            else '无成交订单'
        end as segment_reason_zh,
        case
            when lifecycle_stage = 'prospect' then 'no completed order'
            when lifecycle_stage = 'churned'
                then {{ dbt.concat(["'last order '", "last_order_date_text", "', '",
                    "days_since_last_order_text",
                    "' days ago >= " ~ var('churn_inactive_days') ~ "'"]) }}
            when
                lifecycle_stage = 'at_risk'
                and days_since_last_order >= {{ var('at_risk_inactive_days') }}
                then {{ dbt.concat(["'last order '", "last_order_date_text", "', '",
                    "days_since_last_order_text",
                    "' days ago >= " ~ var('at_risk_inactive_days') ~ "'"]) }}
            when lifecycle_stage = 'at_risk'
                then 'segment satisfaction_risk'
            when lifecycle_stage = 'new'
                then {{ dbt.concat(["'first order '", "first_order_date_text", "', '",
                    "tenure_days_text", "' days ago < " ~ var('new_customer_days') ~ "'"]) }}
            when lifecycle_stage = 'loyal'
                then {{ dbt.concat(["'tenure '", "tenure_days_text",
                    "' >= " ~ var('loyal_tenure_days') ~ " days and orders in each of the last "
                    ~ var('loyal_quarters') ~ " quarters'"]) }}
            else {{ dbt.concat(["'tenure '", "tenure_days_text", "' days, orders in '",
                    "quarters_with_orders_text",
                    "' of the last " ~ var('loyal_quarters') ~ " quarters'"]) }}
        end as lifecycle_stage_reason,
        case
            when lifecycle_stage = 'prospect' then '无成交订单'
            when lifecycle_stage = 'churned'
                then {{ dbt.concat(["'最近成交 '", "last_order_date_text", "'，已 '",
                    "days_since_last_order_text",
                    "' 天 ≥ " ~ var('churn_inactive_days') ~ "'"]) }}
            when
                lifecycle_stage = 'at_risk'
                and days_since_last_order >= {{ var('at_risk_inactive_days') }}
                then {{ dbt.concat(["'最近成交 '", "last_order_date_text", "'，已 '",
                    "days_since_last_order_text",
                    "' 天 ≥ " ~ var('at_risk_inactive_days') ~ "'"]) }}
            when lifecycle_stage = 'at_risk'
                then '满意度风险型客户'
            when lifecycle_stage = 'new'
                then {{ dbt.concat(["'首单 '", "first_order_date_text", "'，距今 '",
                    "tenure_days_text", "' 天 < " ~ var('new_customer_days') ~ "'"]) }}
            when lifecycle_stage = 'loyal'
                then {{ dbt.concat(["'合作 '", "tenure_days_text",
                    "' 天 ≥ " ~ var('loyal_tenure_days') ~ "，近" ~ var('loyal_quarters') ~ "个季度每季均有成交'"]) }}
            else {{ dbt.concat(["'合作 '", "tenure_days_text", "' 天，近"
                    ~ var('loyal_quarters') ~ "个季度中 '",
                    "quarters_with_orders_text",
                    "' 个季度有成交'"]) }}
        end as lifecycle_stage_reason_zh
    from tier_reasons

),

final as (

    select
        customer_id,
        is_strategic,
        first_order_date,
        last_order_date,
        tenure_days,
        days_since_last_order,
        annual_spend,
        previous_annual_spend,
        spend_growth,
        orders_last_365d,
        orders_prev_365d,
        quarters_with_orders,
        complaints_last_90d,
        last_complaint_on,
        nps_responses_365d,
        customer_nps,
        spend_rank,
        spenders_count,
        value_tier,
        tier_rank,
        rule_value_tier,
        rule_tier_rank,
        is_downgrade_pending,
        pending_value_tier,
        segment,
        lifecycle_stage,
        state_valid_from,
        value_tier_reason,
        value_tier_reason_zh,
        segment_reason,
        segment_reason_zh,
        lifecycle_stage_reason,
        lifecycle_stage_reason_zh
    from reasoned

)

select * from final
