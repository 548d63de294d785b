{%- set segments = ['satisfaction_risk', 'high_value_stable', 'high_potential', 'standard', 'prospect'] -%}

with

campaigns as (

    select * from {{ ref('stg_crm__campaigns') }}

),

members as (

    select * from {{ ref('stg_crm__campaign_members') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

customer_states as (

    select * from {{ ref('int_customer_states_historized') }}

),

sales_reps as (

    select * from {{ ref('stg_crm__sales_reps') }}

),

codes as (

    select * from {{ ref('ref_codes') }}

),

campaigns_held as (

    -- campaigns whose event took place on or before the as-of date
    select
        campaign_id,
        campaign_name,
        campaign_type,
        target_segment,
        owner_rep_id,
        prep_started_on,
        cast(planned_prep_days as integer) as planned_prep_days,
        event_date,
        cost,
        goal_metric,
        goal_target,
        cast({{ dbt.dateadd('day', var('campaign_attribution_days'), 'event_date') }} as date) as attribution_window_end
    from campaigns
    where event_date <= {{ crm_as_of_date() }}

),

members_as_of as (

    -- invitations known on the night; opens and registrations after it have not happened
    select
        members.campaign_id,
        members.customer_id,
        campaigns_held.event_date,
        campaigns_held.attribution_window_end,
        case when members.opened_at < {{ service_as_of_end() }} then members.opened_at end as opened_at,
        case when members.registered_at < {{ service_as_of_end() }} then members.registered_at end as registered_at,
        coalesce(members.attended, false) as attended,
        members.feedback_score,
        members.feedback_negative
    from members
    inner join campaigns_held
        on members.campaign_id = campaigns_held.campaign_id
    where members.invited_at < {{ service_as_of_end() }}

),

member_states as (

    -- the attendee's segment and lifecycle stage on the event date
    select
        members_as_of.campaign_id,
        members_as_of.customer_id,
        customer_states.segment,
        customer_states.lifecycle_stage
    from members_as_of
    inner join customer_states
        on
            members_as_of.customer_id = customer_states.customer_id
            and members_as_of.event_date >= customer_states.valid_from
            and (customer_states.valid_to is null or members_as_of.event_date < customer_states.valid_to)

),

member_orders as (

    -- completed orders of attendees in (event_date, event_date + var campaign_attribution_days]
    -- (precise reading 10), up to the as-of date
    select
        members_as_of.campaign_id,
        members_as_of.customer_id,
        count(*) as attributed_orders,
        sum(orders.amount) as attributed_revenue
    from members_as_of
    inner join orders
        on
            members_as_of.customer_id = orders.customer_id
            and members_as_of.event_date < orders.order_date
            and members_as_of.attribution_window_end >= orders.order_date
    where
        members_as_of.attended
        and orders.is_completed
        and orders.order_date <= {{ crm_as_of_date() }}
    group by
        members_as_of.campaign_id,
        members_as_of.customer_id

),

member_facts as (

    select
        members_as_of.*,
        member_states.segment,
        member_states.lifecycle_stage,
        coalesce(member_states.lifecycle_stage in ('at_risk', 'churned'), false) as was_inactive,
        coalesce(member_orders.attributed_orders, 0) as attributed_orders,
        coalesce(member_orders.attributed_revenue, 0) as attributed_revenue
    from members_as_of
    left join member_states
        on
            members_as_of.campaign_id = member_states.campaign_id
            and members_as_of.customer_id = member_states.customer_id
    left join member_orders
        on
            members_as_of.campaign_id = member_orders.campaign_id
            and members_as_of.customer_id = member_orders.customer_id

),

funnel as (

    select
        member_facts.campaign_id,
        count(*) as invited,
        sum(case when member_facts.opened_at is not null then 1 else 0 end) as opened,
        sum(case when member_facts.registered_at is not null then 1 else 0 end) as registered,
        sum(case when member_facts.attended then 1 else 0 end) as attended,
        {%- for segment in segments %}
            sum(
                case when member_facts.attended and member_facts.segment = '{{ segment }}' then 1 else 0 end
            ) as attendees_{{ segment }},
        {%- endfor %}
        sum(
            case when member_facts.attended and member_facts.segment is null then 1 else 0 end
        ) as attendees_segment_unknown,
        sum(
            case when member_facts.attended and member_facts.segment = campaigns_held.target_segment then 1 else 0 end
        ) as attendees_target_segment,
        sum(case when member_facts.attended then member_facts.feedback_score end) as feedback_score_sum,
        sum(
            case when member_facts.attended and member_facts.feedback_score is not null then 1 else 0 end
        ) as feedback_responses,
        sum(case when member_facts.feedback_negative then 1 else 0 end) as negative_feedback_count,
        sum(case when member_facts.feedback_negative is not null then 1 else 0 end) as negative_feedback_answers,
        sum(case when member_facts.attended then member_facts.attributed_orders else 0 end) as attributed_orders,
        sum(case when member_facts.attended then member_facts.attributed_revenue else 0 end) as attributed_revenue,
        sum(
            case when member_facts.attended and member_facts.attributed_orders > 0 then 1 else 0 end
        ) as attendees_with_order,
        sum(case when member_facts.attended and member_facts.was_inactive then 1 else 0 end) as inactive_attendees,
        sum(
            case
                when member_facts.attended and member_facts.was_inactive and member_facts.attributed_orders > 0
                    then 1
                else 0
            end
        ) as inactive_attendees_reactivated
    from member_facts
    inner join campaigns_held
        on member_facts.campaign_id = campaigns_held.campaign_id
    group by member_facts.campaign_id

),

measured as (

    select
        campaigns_held.*,
        cast(coalesce(funnel.invited, 0) as integer) as invited,
        cast(coalesce(funnel.opened, 0) as integer) as opened,
        cast(coalesce(funnel.registered, 0) as integer) as registered,
        cast(coalesce(funnel.attended, 0) as integer) as attended,
        {%- for segment in segments %}
            cast(coalesce(funnel.attendees_{{ segment }}, 0) as integer) as attendees_{{ segment }},
        {%- endfor %}
        cast(coalesce(funnel.attendees_segment_unknown, 0) as integer) as attendees_segment_unknown,
        cast(coalesce(funnel.attendees_target_segment, 0) as integer) as attendees_target_segment,
        cast(coalesce(funnel.feedback_responses, 0) as integer) as feedback_responses,
        cast(
            round(cast(funnel.feedback_score_sum as decimal(24, 8)) / nullif(funnel.feedback_responses, 0), 2)
            as decimal(6, 2)
        ) as feedback_avg,
        case
            when coalesce(funnel.negative_feedback_answers, 0) > 0
                then cast(funnel.negative_feedback_count as integer)
        end as negative_feedback_count,
        cast(coalesce(funnel.attributed_orders, 0) as integer) as attributed_orders,
        cast(coalesce(funnel.attributed_revenue, 0) as decimal(18, 2)) as attributed_revenue,
        cast(coalesce(funnel.attendees_with_order, 0) as integer) as attendees_with_order,
        cast(coalesce(funnel.inactive_attendees, 0) as integer) as inactive_attendees,
        cast(coalesce(funnel.inactive_attendees_reactivated, 0) as integer) as inactive_attendees_reactivated,
        cast(
            {{ dbt.datediff('campaigns_held.prep_started_on', 'campaigns_held.event_date', 'day') }} as integer  -- noqa: LT05
        ) as actual_prep_days
    from campaigns_held
    left join funnel
        on campaigns_held.campaign_id = funnel.campaign_id

),

rated as (

    select
        measured.*,
        {%- for rate, numerator, denominator in [
            ('open_rate', 'opened', 'invited'),
            ('registration_rate', 'registered', 'invited'),
            ('participation_rate', 'attended', 'invited'),
            ('target_segment_share', 'attendees_target_segment', 'attended'),
            ('attendee_repurchase_rate', 'attendees_with_order', 'attended'),
            ('reactivation_rate', 'inactive_attendees_reactivated', 'inactive_attendees'),
            ('roi', 'attributed_revenue', 'cost'),
            ('prep_efficiency', 'actual_prep_days', 'planned_prep_days'),
        ] %}
            cast(
                round(cast({{ numerator }} as decimal(24, 8)) / nullif({{ denominator }}, 0), 4)
                as decimal(18, 4)
            ) as {{ rate }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from measured

),

goals as (

    select
        rated.*,
        cast(
            case rated.goal_metric
                when 'participation_rate' then rated.participation_rate
                when 'repurchase_rate' then rated.attendee_repurchase_rate
                when 'satisfaction' then rated.feedback_avg
                when 'reactivation_rate' then rated.reactivation_rate
            end as decimal(18, 4)
        ) as goal_actual
    from rated

),

final as (

    select
        goals.campaign_id,
        goals.campaign_name,
        goals.campaign_type,
        type_codes.label_zh as campaign_type_label_zh,
        goals.target_segment,
        segment_codes.label_zh as target_segment_label_zh,
        goals.owner_rep_id,
        sales_reps.team,
        goals.event_date,
        goals.prep_started_on,
        goals.cost,
        goals.invited,
        goals.opened,
        goals.registered,
        goals.attended,
        goals.open_rate,
        goals.registration_rate,
        goals.participation_rate,
        {%- for segment in segments %}
            goals.attendees_{{ segment }},
        {%- endfor %}
        goals.attendees_segment_unknown,
        goals.attendees_target_segment,
        goals.target_segment_share,
        goals.feedback_responses,
        goals.feedback_avg,
        case
            when goals.feedback_avg is not null
                then goals.feedback_avg >= {{ var('campaign_feedback_excellent') }}
        end as is_feedback_excellent,
        goals.negative_feedback_count,
        case
            when goals.negative_feedback_count is not null
                then goals.negative_feedback_count <= {{ var('campaign_negative_feedback_ok') }}
        end as is_negative_feedback_ok,
        goals.attribution_window_end,
        goals.attribution_window_end <= {{ crm_as_of_date() }} as is_attribution_complete,
        goals.attributed_orders,
        goals.attributed_revenue,
        goals.attendees_with_order,
        goals.roi,
        case when goals.roi is not null then goals.roi >= {{ var('campaign_roi_bar') }} end as is_roi_met,
        goals.goal_metric,
        goal_codes.label_zh as goal_metric_label_zh,
        goals.goal_target,
        goals.goal_actual,
        goals.inactive_attendees,
        goals.inactive_attendees_reactivated,
        cast(round(goals.goal_actual / nullif(goals.goal_target, 0), 4) as decimal(18, 4)) as goal_attainment,
        case
            when goals.goal_actual is not null and goals.goal_target > 0
                then
                    round(goals.goal_actual / goals.goal_target, 4)
                    >= {{ var('campaign_goal_attainment_excellent') }}
        end as is_goal_excellent,
        goals.planned_prep_days,
        goals.actual_prep_days,
        goals.prep_efficiency,
        case
            when goals.prep_efficiency is not null
                then goals.prep_efficiency <= {{ var('campaign_prep_efficiency_good') }}
        end as is_prep_efficient,
        {{ crm_as_of_date() }} as as_of_date
    from goals
    left join sales_reps
        on goals.owner_rep_id = sales_reps.rep_id
    left join codes as type_codes
        on goals.campaign_type = type_codes.code and type_codes.code_list = 'campaign_type'
    left join codes as segment_codes
        on goals.target_segment = segment_codes.code and segment_codes.code_list = 'segment'
    left join codes as goal_codes
        on goals.goal_metric = goal_codes.code and goal_codes.code_list = 'goal_metric'

)

select * from final
