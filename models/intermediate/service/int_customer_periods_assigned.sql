with

customer_states as (

    select * from {{ ref('int_customer_states_historized') }}

),

periods as (

    select * from {{ ref('int_cadence_periods_spined') }}

),

policy_intervals as (

    -- validity intervals under a cadence policy, cut at the night being built;
    -- valid_until is exclusive like valid_to
    select
        customer_id,
        valid_from,
        case
            when valid_to is null or valid_to > {{ crm_as_of_date() }}
                then cast({{ dbt.dateadd('day', 1, crm_as_of_date()) }} as date)
            else valid_to
        end as valid_until,
        value_tier,
        tier_rank,
        segment,
        lifecycle_stage,
        cadence_policy_code,
        period_grain,
        required_touches
    from customer_states
    where
        cadence_policy_code is not null
        and valid_from <= {{ crm_as_of_date() }}

),

interval_periods as (

    -- range join: every period of the interval's grain that overlaps the interval
    select
        policy_intervals.customer_id,
        policy_intervals.period_grain,
        periods.period_start,
        periods.period_end,
        policy_intervals.valid_from,
        policy_intervals.cadence_policy_code,
        policy_intervals.required_touches,
        policy_intervals.value_tier,
        policy_intervals.tier_rank,
        policy_intervals.segment,
        policy_intervals.lifecycle_stage,
        greatest(policy_intervals.valid_from, periods.period_start) as applied_from,
        least(
            cast({{ dbt.dateadd('day', -1, 'policy_intervals.valid_until') }} as date),
            periods.period_end
        ) as applied_to
    from policy_intervals
    inner join periods
        on
            policy_intervals.period_grain = periods.period_grain
            and policy_intervals.valid_until > periods.period_start
            and policy_intervals.valid_from <= periods.period_end

),

interval_periods_ranked as (

    select
        *,
        {{ dbt.datediff('applied_from', 'applied_to', 'day') }}
        + 1 as applied_days,
        row_number() over (
            partition by customer_id, period_grain, period_start
            order by valid_from desc
        ) as recency_rank
    from interval_periods

),

period_coverage as (

    select
        customer_id,
        period_grain,
        period_start,
        min(applied_from) as policy_applied_from,
        max(applied_to) as policy_applied_to,
        cast(sum(applied_days) as {{ dbt.type_int() }}) as policy_applied_days,
        cast(count(distinct cadence_policy_code) as {{ dbt.type_int() }}) as policies_in_period
    from interval_periods_ranked
    group by
        customer_id,
        period_grain,
        period_start

),

final as (

    -- the policy and state of a period are those of the last interval of this grain in it
    select
        latest.customer_id,
        latest.period_grain,
        latest.period_start,
        latest.period_end,
        least(latest.period_end, {{ crm_as_of_date() }}) as evaluation_date,
        latest.period_end >= {{ crm_as_of_date() }} as is_current_period,
        latest.cadence_policy_code,
        latest.required_touches,
        latest.value_tier,
        latest.tier_rank,
        latest.segment,
        latest.lifecycle_stage,
        period_coverage.policy_applied_from,
        period_coverage.policy_applied_to,
        period_coverage.policy_applied_days,
        period_coverage.policies_in_period,
        (
            period_coverage.policy_applied_days
            < {{ dbt.datediff(
                'latest.period_start', 'least(latest.period_end, ' ~ crm_as_of_date() ~ ')', 'day'
            ) }} + 1
            or period_coverage.policies_in_period > 1
        ) as is_policy_change_period
    from interval_periods_ranked as latest
    inner join period_coverage
        on
            latest.customer_id = period_coverage.customer_id
            and latest.period_grain = period_coverage.period_grain
            and latest.period_start = period_coverage.period_start
    where latest.recency_rank = 1

)

select * from final
