{% macro postgres__dateadd(datepart, interval, from_date_or_timestamp) -%}
    {#- dbt-postgres' dateadd with `quarter` made valid: PostgreSQL has no `1 quarter`
        interval (dbt.date_spine by quarter uses it), so a quarter is 3 months. -#}
    {%- if datepart | lower == 'quarter' -%}
        {{ from_date_or_timestamp }} + ((interval '3 month') * ({{ interval }}))
    {%- else -%}
        {{ from_date_or_timestamp }} + ((interval '1 {{ datepart }}') * ({{ interval }}))
    {%- endif -%}
{%- endmacro %}
