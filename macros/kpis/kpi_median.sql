{% macro kpi_median(expr) -%}
    {{ return(adapter.dispatch('kpi_median')(expr)) }}
{%- endmacro %}

{% macro default__kpi_median(expr) -%}
    {#- Exact median (50th percentile, interpolated between the two middle values of an even
        count) of a numeric expression, as an aggregate usable with group by. Standard SQL
        ordered-set aggregate (PostgreSQL, Snowflake, Redshift, ...). -#}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__kpi_median(expr) -%}
    median({{ expr }})
{%- endmacro %}

{% macro spark__kpi_median(expr) -%}
    {#- percentile (exact, interpolated), not percentile_approx. -#}
    percentile({{ expr }}, 0.5)
{%- endmacro %}
