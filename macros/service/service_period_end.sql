{% macro service_period_end(grain, period_start) -%}
    {#- Last day (inclusive) of the cadence period of `grain` that starts on `period_start`. -#}
    cast(
        case {{ grain }}
            when 'week' then {{ dbt.dateadd('day', 6, period_start) }}
            when 'month' then {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, period_start)) }}
            when 'quarter' then {{ dbt.dateadd('day', -1, dbt.dateadd('month', 3, period_start)) }}
            when 'half_year' then {{ dbt.dateadd('day', -1, dbt.dateadd('month', 6, period_start)) }}
        end
        as date
    )
{%- endmacro %}
