{% macro crm_parse_date(expr) -%}
    cast({{ crm_parse_timestamp(expr) }} as date)
{%- endmacro %}
