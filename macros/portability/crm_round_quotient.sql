{% macro crm_round_quotient(numerator, denominator, places) -%}
    {#- round(numerator / denominator, places) computed as DuckDB does for decimals (see
        _portability__macros.yml). -#}
    {{ return(adapter.dispatch('crm_round_quotient')(numerator, denominator, places)) }}
{%- endmacro %}

{% macro default__crm_round_quotient(numerator, denominator, places) -%}
    {#- DuckDB, Spark: round of the double-precision quotient (crm_divide; DuckDB divides
        decimals in double precision anyway, Spark would divide them exactly). -#}
    round({{ crm_divide(numerator, denominator) }}, {{ places }})
{%- endmacro %}

{% macro postgres__crm_round_quotient(numerator, denominator, places) -%}
    {#- DuckDB divides decimals in double precision and rounds the double half away from
        zero (C round(x * 10^places) / 10^places); PostgreSQL's numeric division is exact,
        so 0.075 / 0.8 = 0.09375 would round up to 0.0938 where DuckDB's 0.0937499...
        gives 0.0937. Same arithmetic here. -#}
    {%- set quotient = "(cast(" ~ numerator ~ " as double precision) / cast(" ~ denominator ~ " as double precision))" -%}
    (sign({{ quotient }}) * floor(abs({{ quotient }}) * 1e{{ places }} + 0.5) / 1e{{ places }})
{%- endmacro %}
