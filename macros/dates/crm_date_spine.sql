{% macro crm_date_spine(datepart, start_date, end_date) -%}
    {#- Select of `period_start` (date): every `datepart` boundary from start_date (included)
        to end_date (excluded); both are SQL date expressions, evaluated in the warehouse.
        Unlike dbt.date_spine it runs no query while compiling (dbt.date_spine asks the
        warehouse for the number of periods first), so `dbt compile` and the sqlfluff dbt
        templater work before anything is built. At most var('date_spine_max_periods')
        periods. -#}
    {%- set max_periods = var('date_spine_max_periods') | int -%}
    select period_start
    from (
        select
            cast({{ dbt.dateadd(datepart, 'series.generated_number - 1', 'bounds.spine_start') }} as date)
                as period_start,
            bounds.spine_end
        from ({{ dbt.generate_series(max_periods) | indent(12) }}) as series
        cross join (
            select
                cast({{ start_date }} as date) as spine_start,
                cast({{ end_date }} as date) as spine_end
        ) as bounds
    ) as spine
    where period_start < spine_end
{%- endmacro %}
