{% macro crm_clean_text(expr) -%}
    nullif(trim({{ expr }}), '')
{%- endmacro %}
