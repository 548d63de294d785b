{#- THE customer state history: one row per customer per validity interval
    [valid_from, valid_to) from the customer's first state up to the as-of date (valid_to null
    = still valid). Other models (cadence compliance, interaction facts) join to it by range.

    Value tier, from the rule tier of each evaluation date (int_customer_states_evaluated):
      - an upgrade takes effect on the day the rule is met (an order day);
      - a downgrade only at a quarter end: between quarter ends the tier is the best rule tier
        since the last quarter end (running minimum of the rank inside each quarter block);
      - once in the top tier (rank 1) a customer stays there until a quarter end at or after an
        approved top-tier downgrade review dated after the last day the top-tier rule was met;
        the tier then becomes that quarter end's rule tier. While the lock holds and the rule
        would have downgraded, is_downgrade_pending is true.
    Segment and lifecycle stage change on the exact day their rule inputs change (every such
    day is an evaluation date). -#}
{%- set by_date -%}
    partition by customer_id
    order by evaluation_date
    rows between unbounded preceding and current row
{%- endset -%}

with

evaluated as (

    select * from {{ ref('int_customer_states_evaluated') }}

),

tier_reviews as (

    select * from {{ ref('int_tier_reviews_classified') }}

),

value_tiers as (

    select * from {{ ref('policy_value_tiers') }}

),

cadence_policies as (

    select * from {{ ref('policy_cadence') }}

),

scheme as (

    select * from value_tiers
    where scheme = '{{ var("value_tier_scheme") }}'

),

top_tier as (

    select min(tier_rank) as top_tier_rank
    from scheme

),

approved_top_downgrades as (

    select
        customer_id,
        review_id,
        reviewed_on,
        review_quarter_end
    from tier_reviews
    where requires_approval and is_approved

),

sequenced as (

    select
        evaluated.customer_id,
        evaluated.evaluation_date,
        evaluated.is_quarter_end,
        evaluated.rule_tier_rank,
        evaluated.segment,
        evaluated.lifecycle_stage,
        top_tier.top_tier_rank,
        sum(case when evaluated.is_quarter_end then 1 else 0 end) over ({{ by_date }}) as review_block,
        max(
            case when evaluated.rule_tier_rank = top_tier.top_tier_rank then evaluated.evaluation_date end
        ) over ({{ by_date }}) as last_top_rule_date
    from evaluated
    cross join top_tier

),

unlocked as (

    select
        *,
        min(rule_tier_rank) over (
            partition by customer_id, review_block
            order by evaluation_date
            rows between unbounded preceding and current row
        ) as unlocked_tier_rank
    from sequenced

),

release_candidates as (

    select
        unlocked.customer_id,
        unlocked.evaluation_date,
        approved_top_downgrades.review_id,
        approved_top_downgrades.review_quarter_end as released_on,
        row_number() over (
            partition by unlocked.customer_id, unlocked.evaluation_date
            order by approved_top_downgrades.reviewed_on, approved_top_downgrades.review_id
        ) as release_order
    from unlocked
    inner join approved_top_downgrades
        on
            unlocked.customer_id = approved_top_downgrades.customer_id
            and unlocked.last_top_rule_date < approved_top_downgrades.reviewed_on
            and unlocked.evaluation_date >= approved_top_downgrades.review_quarter_end

),

releases as (

    select * from release_candidates
    where release_order = 1

),

tiered as (

    select
        unlocked.customer_id,
        unlocked.evaluation_date,
        unlocked.segment,
        unlocked.lifecycle_stage,
        unlocked.unlocked_tier_rank,
        unlocked.last_top_rule_date is not null and releases.released_on is null as is_top_tier_locked,
        case
            when unlocked.last_top_rule_date is not null and releases.released_on is null
                then unlocked.top_tier_rank
            else unlocked.unlocked_tier_rank
        end as tier_rank,
        coalesce(
            unlocked.last_top_rule_date is not null
            and releases.released_on is null
            and unlocked.unlocked_tier_rank > unlocked.top_tier_rank,
            false
        ) as is_downgrade_pending,
        case
            when
                unlocked.last_top_rule_date is not null
                and releases.released_on is null
                and unlocked.unlocked_tier_rank > unlocked.top_tier_rank
                then unlocked.unlocked_tier_rank
        end as pending_tier_rank,
        case when releases.released_on = unlocked.evaluation_date then releases.review_id end as approved_review_id
    from unlocked
    left join releases
        on
            unlocked.customer_id = releases.customer_id
            and unlocked.evaluation_date = releases.evaluation_date

),

flagged as (

    select
        *,
        case
            when
                coalesce(lag(tier_rank) over (partition by customer_id order by evaluation_date), -1)
                = coalesce(tier_rank, -1)
                and lag(segment) over (partition by customer_id order by evaluation_date) = segment
                and lag(lifecycle_stage) over (partition by customer_id order by evaluation_date) = lifecycle_stage
                and lag(is_downgrade_pending) over (partition by customer_id order by evaluation_date)
                = is_downgrade_pending
                and coalesce(lag(pending_tier_rank) over (partition by customer_id order by evaluation_date), -1)
                = coalesce(pending_tier_rank, -1)
                then 0
            else 1
        end as starts_state
    from tiered

),

numbered as (

    select
        *,
        sum(starts_state) over ({{ by_date }}) as state_number
    from flagged

),

collapsed as (

    select
        customer_id,
        state_number,
        min(evaluation_date) as valid_from,
        max(tier_rank) as tier_rank,
        max(segment) as segment,
        max(lifecycle_stage) as lifecycle_stage,
        max(pending_tier_rank) as pending_tier_rank,
        max(case when is_downgrade_pending then 1 else 0 end) = 1 as is_downgrade_pending,
        max(approved_review_id) as approved_review_id
    from numbered
    group by
        customer_id,
        state_number

),

compared as (

    select
        *,
        lead(valid_from) over (partition by customer_id order by valid_from) as valid_to,
        lag(tier_rank) over (partition by customer_id order by valid_from) as previous_tier_rank,
        lag(segment) over (partition by customer_id order by valid_from) as previous_segment,
        lag(lifecycle_stage) over (partition by customer_id order by valid_from) as previous_lifecycle_stage,
        lag(is_downgrade_pending) over (partition by customer_id order by valid_from) as was_downgrade_pending,
        lag(pending_tier_rank) over (partition by customer_id order by valid_from) as previous_pending_tier_rank
    from collapsed

),

reasoned as (

    select
        compared.*,
        case
            when compared.state_number = 1 then 'initial'
            when compared.previous_lifecycle_stage = 'churned' and compared.lifecycle_stage != 'churned'
                then 'won_back'
            when compared.tier_rank < compared.previous_tier_rank then 'upgrade'
            when compared.tier_rank > compared.previous_tier_rank and compared.approved_review_id is not null
                then 'approved_downgrade'
            when compared.tier_rank > compared.previous_tier_rank then 'quarterly_review'
            when
                compared.is_downgrade_pending
                and coalesce(compared.previous_pending_tier_rank, -1) != compared.pending_tier_rank
                then 'downgrade_pending'
            when compared.was_downgrade_pending and not compared.is_downgrade_pending then 'downgrade_cleared'
            when compared.previous_lifecycle_stage = 'prospect' and compared.lifecycle_stage != 'prospect'
                then 'first_order'
            when compared.lifecycle_stage != compared.previous_lifecycle_stage then 'lifecycle_change'
            else 'segment_change'
        end as change_reason
    from compared

),

cadence_candidates as (

    -- The customer's tier row and lifecycle-stage row of the cadence policy; the lowest
    -- strictness_rank wins (at_risk / churned get the risk row whatever the tier).
    -- Prospects have no cadence.
    select
        reasoned.customer_id,
        reasoned.valid_from,
        cadence_policies.policy_code,
        cadence_policies.period_grain,
        cadence_policies.required_touches,
        row_number() over (
            partition by reasoned.customer_id, reasoned.valid_from
            order by cadence_policies.strictness_rank, cadence_policies.policy_code
        ) as policy_order
    from reasoned
    inner join cadence_policies
        on
            (reasoned.tier_rank = cadence_policies.tier_rank and cadence_policies.applies_to = 'tier')
            or (
                reasoned.lifecycle_stage = cadence_policies.lifecycle_stage
                and cadence_policies.applies_to = 'stage'
            )
    where reasoned.lifecycle_stage != 'prospect'

),

cadence as (

    select * from cadence_candidates
    where policy_order = 1

),

final as (

    select
        reasoned.customer_id,
        reasoned.valid_from,
        reasoned.valid_to,
        current_tier.tier as value_tier,
        reasoned.tier_rank,
        reasoned.segment,
        reasoned.lifecycle_stage,
        cadence.policy_code as cadence_policy_code,
        cadence.period_grain,
        cadence.required_touches,
        reasoned.change_reason,
        reasoned.is_downgrade_pending,
        pending_tier.tier as pending_value_tier,
        reasoned.approved_review_id,
        previous_tier.tier as previous_value_tier,
        reasoned.previous_segment,
        reasoned.previous_lifecycle_stage,
        reasoned.state_number,
        reasoned.valid_to is null as is_current
    from reasoned
    left join scheme as current_tier on reasoned.tier_rank = current_tier.tier_rank
    left join scheme as pending_tier on reasoned.pending_tier_rank = pending_tier.tier_rank
    left join scheme as previous_tier on reasoned.previous_tier_rank = previous_tier.tier_rank
    left join cadence
        on
            reasoned.customer_id = cadence.customer_id
            and reasoned.valid_from = cadence.valid_from

)

select * from final
