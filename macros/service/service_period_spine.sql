{% macro service_period_spine(start_date, end_date, max_periods=4096) -%}
    {{ return(adapter.dispatch('service_period_spine')(start_date, end_date, max_periods)) }}
{%- endmacro %}

{% macro default__service_period_spine(start_date, end_date, max_periods=4096) -%}
    {#- A select of every cadence period (period_grain, period_start, period_end) of the
        four grains week / month / quarter / half_year that overlaps
        [start_date, end_date]. `start_date` and `end_date` are SQL expressions (literals or
        scalar subqueries). Built from dbt.generate_series (no engine-specific series
        function): `max_periods` numbers cover that many ISO weeks (4096 weeks = 78 years)
        and that many months. -#}
    select
        spine.period_grain,
        spine.period_start,
        {{ service_period_end('spine.period_grain', 'spine.period_start') }} as period_end
    from (

        select
            'week' as period_grain,
            cast(
                {{ dbt.dateadd('day', '7 * (numbers.generated_number - 1)', dbt.date_trunc('week', start_date)) }}
                as date
            ) as period_start
        from ({{ dbt.generate_series(max_periods) }}) as numbers

        union all

        select
            grains.period_grain,
            months.month_start as period_start
        from (
            select
                cast(
                    {{ dbt.dateadd('month', 'numbers.generated_number - 1', dbt.date_trunc('year', start_date)) }}
                    as date
                ) as month_start
            from ({{ dbt.generate_series(max_periods) }}) as numbers
        ) as months
        inner join (
            select 'month' as period_grain, 1 as months_per_period
            union all
            select 'quarter' as period_grain, 3 as months_per_period
            union all
            select 'half_year' as period_grain, 6 as months_per_period
        ) as grains
            on mod(cast(extract(month from months.month_start) as integer) - 1, grains.months_per_period) = 0

    ) as spine
    where
        spine.period_start <= {{ end_date }}
        and {{ service_period_end('spine.period_grain', 'spine.period_start') }} >= {{ start_date }}
{%- endmacro %}
