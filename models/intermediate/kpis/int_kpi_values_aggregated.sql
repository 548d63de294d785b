{#- Every KPI x period (month and quarter) x dimension value: summed numerator and
    denominator, the value, the previous period's value (baseline), the value of the same
    period a year before, the target of seed policy_kpi_targets and whether it is met. The
    grid is complete (every period of int_kpi_periods_spined for every dimension value of the
    KPI's dimensions), so a KPI without records in a period is a row with record_count 0 and
    a null value, and the baseline is always the immediately preceding period. -#}
{%- set kpis = kpi_definitions() -%}
{%- set dimension_columns = {
    'all': "'all'",
    'team': 'team',
    'owner_rep_id': 'rep_id',
    'segment': 'segment',
    'value_tier': 'value_tier',
} -%}

with

measures as (

    select * from {{ ref('int_kpi_measures_unioned') }}

),

periods as (

    select * from {{ ref('int_kpi_periods_spined') }}

),

kpi_targets as (

    select * from {{ ref('policy_kpi_targets') }}

),

sales_reps as (

    select * from {{ ref('stg_crm__sales_reps') }}

),

codes as (

    select * from {{ ref('ref_codes') }}

),

value_tiers as (

    select * from {{ ref('policy_value_tiers') }}

),

kpi_dimensions as (

    {% for kpi in kpis %}
        {%- for dimension in kpi.dimensions %}
            select
                '{{ kpi.code }}' as kpi_code,
                '{{ kpi.value_kind }}' as value_kind,
                {{ 'true' if kpi.is_additive else 'false' }} as is_additive,
                '{{ dimension }}' as dimension
            {% if not loop.last %}union all{% endif %}
        {%- endfor %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

measures_with_team as (

    select
        measures.*,
        sales_reps.team
    from measures
    left join sales_reps
        on measures.rep_id = sales_reps.rep_id

),

aggregated as (

    {% for dimension, column in dimension_columns.items() %}
        select
            measures_with_team.kpi_code,
            measures_with_team.period_grain,
            measures_with_team.period_start,
            '{{ dimension }}' as dimension,
            {{ column }} as dimension_value,
            count(*) as record_count,
            sum(measures_with_team.numerator) as numerator,
            sum(measures_with_team.denominator) as denominator,
            {{ kpi_median('measures_with_team.measure_value') }} as median_value
        from measures_with_team
        inner join kpi_dimensions
            on
                measures_with_team.kpi_code = kpi_dimensions.kpi_code
                and kpi_dimensions.dimension = '{{ dimension }}'
        where {{ column }} is not null
        group by
            measures_with_team.kpi_code,
            measures_with_team.period_grain,
            measures_with_team.period_start,
            {{ column }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

dimension_values as (

    -- every value a dimension can take (reference lists), plus any value seen in the data
    select
        'all' as dimension,
        'all' as dimension_value
    union
    select distinct
        'team' as dimension,
        team as dimension_value
    from sales_reps
    where team is not null
    union
    select
        'owner_rep_id' as dimension,
        rep_id as dimension_value
    from sales_reps
    union
    select
        'segment' as dimension,
        code as dimension_value
    from codes
    where code_list = 'segment'
    union
    select
        'value_tier' as dimension,
        tier as dimension_value
    from value_tiers
    where scheme = '{{ var("value_tier_scheme") }}'
    union
    select distinct
        dimension,
        dimension_value
    from aggregated

),

grid as (

    select
        kpi_dimensions.kpi_code,
        kpi_dimensions.value_kind,
        kpi_dimensions.is_additive,
        periods.period_grain,
        periods.period_start,
        periods.period_end,
        periods.effective_end,
        periods.is_closed_period,
        periods.period_label,
        dimension_values.dimension,
        dimension_values.dimension_value
    from kpi_dimensions
    inner join dimension_values
        on kpi_dimensions.dimension = dimension_values.dimension
    cross join periods

),

valued as (

    select
        grid.*,
        cast(coalesce(aggregated.record_count, 0) as integer) as record_count,
        -- a median has no numerator
        cast(
            case when grid.value_kind != 'median' then coalesce(aggregated.numerator, 0) end as decimal(18, 2)
        ) as numerator,
        cast(coalesce(aggregated.denominator, 0) as decimal(18, 2)) as denominator,
        cast(
            round(
                case grid.value_kind
                    when 'median' then cast(aggregated.median_value as decimal(24, 8))
                    when 'per_hundred'
                        then 100 * cast(aggregated.numerator as decimal(24, 8)) / nullif(aggregated.denominator, 0)
                    else cast(aggregated.numerator as decimal(24, 8)) / nullif(aggregated.denominator, 0)
                end,
                4
            ) as decimal(18, 4)
        ) as kpi_value
    from grid
    left join aggregated
        on
            grid.kpi_code = aggregated.kpi_code
            and grid.period_grain = aggregated.period_grain
            and grid.period_start = aggregated.period_start
            and grid.dimension = aggregated.dimension
            and grid.dimension_value = aggregated.dimension_value

),

compared as (

    select
        valued.*,
        lag(valued.kpi_value) over (
            partition by valued.kpi_code, valued.period_grain, valued.dimension, valued.dimension_value
            order by valued.period_start
        ) as baseline_value,
        -- same period a year before: 12 months or 4 quarters back on the complete grid
        lag(valued.kpi_value, 12) over (
            partition by valued.kpi_code, valued.period_grain, valued.dimension, valued.dimension_value
            order by valued.period_start
        ) as value_12_periods_before,
        lag(valued.kpi_value, 4) over (
            partition by valued.kpi_code, valued.period_grain, valued.dimension, valued.dimension_value
            order by valued.period_start
        ) as value_4_periods_before
    from valued

),

targeted as (

    select
        compared.*,
        kpi_targets.kpi_name_zh,
        kpi_targets.kpi_name_en,
        kpi_targets.unit,
        kpi_targets.direction,
        kpi_targets.target_type,
        case compared.period_grain
            when 'month' then compared.value_12_periods_before
            else compared.value_4_periods_before
        end as previous_year_value,
        case compared.period_grain
            when 'month' then kpi_targets.target_month
            else kpi_targets.target_quarter
        end as target_setting
    from compared
    inner join kpi_targets
        on compared.kpi_code = kpi_targets.kpi_code

),

measured as (

    select
        kpi_code,
        kpi_name_zh,
        kpi_name_en,
        unit,
        value_kind,
        is_additive,
        period_grain,
        period_start,
        period_end,
        effective_end,
        period_label,
        is_closed_period,
        dimension,
        dimension_value,
        record_count,
        numerator,
        denominator,
        kpi_value,
        baseline_value,
        cast(kpi_value - baseline_value as decimal(18, 4)) as change_value,
        cast(
            round({{ crm_divide('kpi_value - baseline_value', 'abs(baseline_value)') }}, 4) as decimal(18, 4)
        ) as change_pct,
        previous_year_value,
        direction,
        target_type,
        target_setting,
        cast(
            case target_type
                when 'absolute' then target_setting
                when 'growth_vs_previous_year' then round(previous_year_value * (1 + target_setting), 4)
            end as decimal(18, 4)
        ) as target_value
    from targeted

),

final as (

    select
        measured.*,
        case
            when measured.kpi_value is null or measured.target_value is null then null
            when measured.direction = 'lower_is_better' then measured.kpi_value <= measured.target_value
            else measured.kpi_value >= measured.target_value
        end as is_met
    from measured

)

select * from final
