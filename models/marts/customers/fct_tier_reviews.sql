{#- 客户分级复核 — one row per tier review known on the as-of date: the requested change, whether
    it is a downgrade out of the top tier (which needs an approval to take effect), its approval
    status as of that night, and the day the approved downgrade took effect in the tier history.
    A pending top-tier downgrade keeps the customer in the top tier; it is listed here. -#}

with

tier_reviews as (

    select * from {{ ref('int_tier_reviews_classified') }}

),

states as (

    select * from {{ ref('int_customer_states_historized') }}

),

codes as (

    select * from {{ ref('ref_codes') }}

),

applied_downgrades as (

    select
        approved_review_id as review_id,
        min(valid_from) as takes_effect_on
    from states
    where approved_review_id is not null
    group by approved_review_id

),

current_states as (

    select * from states
    where valid_to is null

),

final as (

    select
        tier_reviews.review_id,
        tier_reviews.customer_id,
        tier_reviews.reviewed_on,
        tier_reviews.from_tier,
        from_tier_codes.label_zh as from_tier_label_zh,
        tier_reviews.to_tier,
        to_tier_codes.label_zh as to_tier_label_zh,
        tier_reviews.is_downgrade,
        tier_reviews.is_from_top_tier,
        tier_reviews.requires_approval,
        tier_reviews.requested_by,
        tier_reviews.approval_status,
        approval_status_codes.label_zh as approval_status_label_zh,
        tier_reviews.approved_by,
        tier_reviews.approved_at,
        applied_downgrades.takes_effect_on,
        applied_downgrades.takes_effect_on is not null as is_applied,
        coalesce(
            tier_reviews.requires_approval
            and tier_reviews.approval_status = 'pending'
            and current_states.is_downgrade_pending,
            false
        ) as is_blocking_downgrade,
        current_states.value_tier as current_value_tier,
        current_tier_codes.label_zh as current_value_tier_label_zh,
        {{ crm_as_of_date() }} as as_of_date
    from tier_reviews
    left join applied_downgrades on tier_reviews.review_id = applied_downgrades.review_id
    left join current_states on tier_reviews.customer_id = current_states.customer_id
    left join codes as from_tier_codes
        on from_tier_codes.code_list = 'value_tier' and tier_reviews.from_tier = from_tier_codes.code
    left join codes as to_tier_codes
        on to_tier_codes.code_list = 'value_tier' and tier_reviews.to_tier = to_tier_codes.code
    left join codes as approval_status_codes
        on
            approval_status_codes.code_list = 'approval_status'
            and tier_reviews.approval_status = approval_status_codes.code
    left join codes as current_tier_codes
        on current_tier_codes.code_list = 'value_tier' and current_states.value_tier = current_tier_codes.code

)

select * from final
