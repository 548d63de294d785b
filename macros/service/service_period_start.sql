{% macro service_period_start(grain, date_expr) -%}
    {#- First day of the cadence period of `grain` (a SQL expression yielding week / month /
        quarter / half_year, e.g. a column or a quoted literal) that contains `date_expr`.
        Weeks are ISO weeks (Monday); half-years are January-June and July-December. -#}
    cast(
        case {{ grain }}
            when 'week' then {{ dbt.date_trunc('week', date_expr) }}
            when 'month' then {{ dbt.date_trunc('month', date_expr) }}
            when 'quarter' then {{ dbt.date_trunc('quarter', date_expr) }}
            when 'half_year' then
                case
                    when extract(month from {{ date_expr }}) <= 6 then {{ dbt.date_trunc('year', date_expr) }}
                    else {{ dbt.dateadd('month', 6, dbt.date_trunc('year', date_expr)) }}
                end
        end
        as date
    )
{%- endmacro %}
