{#- Tier reviews (客户分级复核) known on the night being built, classified against the active
    value-tier scheme: direction of the change, whether it leaves the top tier (and so needs an
    approval to take effect), and whether it is approved as of that night. An approval dated
    after the as-of date is not known yet: the review is still pending then. Tier codes are
    ranked in the active scheme, or by their rank in the schemes that use them. -#}

with

tier_reviews as (

    select * from {{ ref('stg_crm__tier_reviews') }}

),

evaluation_dates as (

    select * from {{ ref('int_customer_evaluation_dates_spined') }}

),

value_tiers as (

    select * from {{ ref('policy_value_tiers') }}

),

scheme as (

    select * from value_tiers
    where scheme = '{{ var("value_tier_scheme") }}'

),

tier_code_ranks as (

    -- the rank of a tier code: in the active scheme, else in the schemes that use the code
    -- (reviews written with A/B/C codes still gate a high/mid/low scheme by rank)
    select
        tier,
        coalesce(
            min(case when scheme = '{{ var("value_tier_scheme") }}' then tier_rank end),
            min(tier_rank)
        ) as tier_rank
    from value_tiers
    group by tier

),

top_tier as (

    select min(tier_rank) as top_tier_rank
    from scheme

),

existing_customers as (

    select customer_id
    from evaluation_dates
    where is_as_of_date

),

known_reviews as (

    select
        tier_reviews.*,
        tier_reviews.approved_by is not null
        and (
            tier_reviews.approved_at is null
            or cast(tier_reviews.approved_at as date) <= {{ crm_as_of_date() }}
        ) as is_approved
    from tier_reviews
    inner join existing_customers on tier_reviews.customer_id = existing_customers.customer_id
    where tier_reviews.reviewed_on <= {{ crm_as_of_date() }}

),

final as (

    select
        known_reviews.review_id,
        known_reviews.customer_id,
        known_reviews.reviewed_on,
        known_reviews.from_tier,
        known_reviews.to_tier,
        from_tier.tier_rank as from_tier_rank,
        to_tier.tier_rank as to_tier_rank,
        to_tier.tier_rank > from_tier.tier_rank as is_downgrade,
        from_tier.tier_rank = top_tier.top_tier_rank as is_from_top_tier,
        coalesce(
            to_tier.tier_rank > from_tier.tier_rank and from_tier.tier_rank = top_tier.top_tier_rank,
            false
        ) as requires_approval,
        known_reviews.requested_by,
        known_reviews.is_approved,
        case when known_reviews.is_approved then 'approved' else 'pending' end as approval_status,
        case when known_reviews.is_approved then known_reviews.approved_by end as approved_by,
        case when known_reviews.is_approved then known_reviews.approved_at end as approved_at,
        cast({{ dbt.last_day('known_reviews.reviewed_on', 'quarter') }} as date) as review_quarter_end
    from known_reviews
    cross join top_tier
    left join tier_code_ranks as from_tier on known_reviews.from_tier = from_tier.tier
    left join tier_code_ranks as to_tier on known_reviews.to_tier = to_tier.tier

)

select * from final
