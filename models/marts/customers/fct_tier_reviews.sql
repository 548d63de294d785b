{#- 客户分级复核 — one row per tier review known on the as-of date: the requested change, whether
    it is a downgrade out of the top tier (which needs an approval to take effect), its approval
    status as of that night, and the day the approved downgrade took effect in the tier history.
    A pending top-tier downgrade keeps the customer in the top tier; it is listed here.

    A customer kept in the top tier with a pending downgrade (current state is_downgrade_pending)
    but without a review that covers it gets one more row: review_id 'pending:' || customer_id
    (stable from night to night; a CRM review id never contains ':'), approval_status
    awaiting_review, from the current (top) tier to the tier the rule gives (pending_value_tier),
    reviewed_on / requested_by null (no review was held). A review covers the pending downgrade
    when it is a top-tier downgrade that is pending (is_blocking_downgrade), or approved with
    its quarter end still ahead (the downgrade is scheduled for that quarter end). An approved
    review whose quarter end has passed without releasing the customer is stale (the customer
    met the top-tier rule again after it) and covers nothing. -#}

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

listed_reviews as (

    select
        tier_reviews.review_id,
        tier_reviews.customer_id,
        tier_reviews.reviewed_on,
        tier_reviews.from_tier,
        tier_reviews.to_tier,
        tier_reviews.is_downgrade,
        tier_reviews.is_from_top_tier,
        tier_reviews.requires_approval,
        tier_reviews.requested_by,
        tier_reviews.approval_status,
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
        coalesce(
            tier_reviews.requires_approval
            and current_states.is_downgrade_pending
            and (
                tier_reviews.approval_status = 'pending'
                or tier_reviews.review_quarter_end > {{ crm_as_of_date() }}
            ),
            false
        ) as covers_pending_downgrade
    from tier_reviews
    left join applied_downgrades on tier_reviews.review_id = applied_downgrades.review_id
    left join current_states on tier_reviews.customer_id = current_states.customer_id

),

covered_customers as (

    select distinct customer_id
    from listed_reviews
    where covers_pending_downgrade

),

awaiting_reviews as (

    select
        {{ dbt.concat(["'pending:'", 'current_states.customer_id']) }} as review_id,
        current_states.customer_id,
        cast(null as date) as reviewed_on,
        current_states.value_tier as from_tier,
        current_states.pending_value_tier as to_tier,
        true as is_downgrade,
        true as is_from_top_tier,
        true as requires_approval,
        cast(null as {{ dbt.type_string() }}) as requested_by,
        'awaiting_review' as approval_status,
        cast(null as {{ dbt.type_string() }}) as approved_by,
        cast(null as {{ dbt.type_timestamp() }}) as approved_at,
        cast(null as date) as takes_effect_on,
        false as is_applied,
        true as is_blocking_downgrade
    from current_states
    left join covered_customers on current_states.customer_id = covered_customers.customer_id
    where
        current_states.is_downgrade_pending
        and covered_customers.customer_id is null

),

all_reviews as (

    select
        review_id,
        customer_id,
        reviewed_on,
        from_tier,
        to_tier,
        is_downgrade,
        is_from_top_tier,
        requires_approval,
        requested_by,
        approval_status,
        approved_by,
        approved_at,
        takes_effect_on,
        is_applied,
        is_blocking_downgrade
    from listed_reviews

    union all

    select * from awaiting_reviews

),

final as (

    select
        all_reviews.review_id,
        all_reviews.customer_id,
        all_reviews.reviewed_on,
        all_reviews.from_tier,
        from_tier_codes.label_zh as from_tier_label_zh,
        all_reviews.to_tier,
        to_tier_codes.label_zh as to_tier_label_zh,
        all_reviews.is_downgrade,
        all_reviews.is_from_top_tier,
        all_reviews.requires_approval,
        all_reviews.requested_by,
        all_reviews.approval_status,
        approval_status_codes.label_zh as approval_status_label_zh,
        all_reviews.approved_by,
        all_reviews.approved_at,
        all_reviews.takes_effect_on,
        all_reviews.is_applied,
        all_reviews.is_blocking_downgrade,
        current_states.value_tier as current_value_tier,
        current_tier_codes.label_zh as current_value_tier_label_zh,
        {{ crm_as_of_date() }} as as_of_date
    from all_reviews
    left join current_states on all_reviews.customer_id = current_states.customer_id
    left join codes as from_tier_codes
        on from_tier_codes.code_list = 'value_tier' and all_reviews.from_tier = from_tier_codes.code
    left join codes as to_tier_codes
        on to_tier_codes.code_list = 'value_tier' and all_reviews.to_tier = to_tier_codes.code
    left join codes as approval_status_codes
        on
            approval_status_codes.code_list = 'approval_status'
            and all_reviews.approval_status = approval_status_codes.code
    left join codes as current_tier_codes
        on current_tier_codes.code_list = 'value_tier' and current_states.value_tier = current_tier_codes.code

)

select * from final
