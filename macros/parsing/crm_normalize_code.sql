{% macro crm_normalize_code(expr) -%}
    {#- `Trade Show`, `trade-show`, ` TRADE_SHOW ` -> `trade_show`. -#}
    nullif(lower(replace(replace(trim({{ expr }}), ' ', '_'), '-', '_')), '')
{%- endmacro %}
