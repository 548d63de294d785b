{% macro postgres__safe_cast(field, type) -%}
    {#- dbt's cast, except that the empty-string literal becomes null for a non-text type.
        dbt renders an empty cell of a seed used as a unit-test fixture as '' (DuckDB's
        safe_cast is try_cast, which yields null; PostgreSQL's cast('' as integer) fails). -#}
    {%- set type_name = type | lower | trim -%}
    {%- if field | trim == "''" and 'char' not in type_name and type_name != 'text' -%}
        cast(null as {{ type }})
    {%- else -%}
        cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}
