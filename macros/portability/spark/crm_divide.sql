{% macro crm_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('crm_divide', 'crmwh')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__crm_divide(numerator, denominator) -%}
    {#- numerator / denominator in double precision, null when the denominator is 0. DuckDB
        divides two decimals in double precision; Spark (and PostgreSQL) divide them exactly,
        so a result later rounded to N places can differ in the last place where it is a tie
        (0.2667 / 0.4 = 0.66675 -> 0.6667 on DuckDB, 0.6668 exactly). Casting both sides to
        double first gives every engine DuckDB's result. -#}
    cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0)
{%- endmacro %}

{% macro postgres__crm_divide(numerator, denominator) -%}
    cast({{ numerator }} as double precision) / nullif(cast({{ denominator }} as double precision), 0)
{%- endmacro %}
