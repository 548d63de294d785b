{% macro spark__listagg(measure, delimiter_text, order_by_clause=none, limit_num=none) -%}
    {#- Overrides dbt-spark's listagg, which ignores the order (it warns and uses
        collect_list, whose order is not defined): Spark 4's listagg ... within group
        keeps `order by`, so the lists read the same as on DuckDB and PostgreSQL. -#}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error('spark__listagg: limit_num is not supported') }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }})
    {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}
