{% macro spark__crm_round_quotient(numerator, denominator, places) -%}
    {#- Spark: the double-precision quotient rounded half away from zero on its binary value,
        as DuckDB does (C round(x * 10^places) / 10^places). Spark's own round(double) rounds
        the shortest decimal text of the double instead, which differs at ties
        (0.66675 -> 0.6668 on Spark, 0.6667 on DuckDB). -#}
    {%- set quotient = "(cast(" ~ numerator ~ " as double) / cast(" ~ denominator ~ " as double))" -%}
    (sign({{ quotient }}) * floor(abs({{ quotient }}) * 1e{{ places }} + 0.5) / 1e{{ places }})
{%- endmacro %}
