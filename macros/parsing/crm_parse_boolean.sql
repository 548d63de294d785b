{% macro crm_parse_boolean(expr) -%}
    case
        when lower(trim({{ expr }})) in ('true', 't', 'yes', 'y', '1', '是', '√') then true
        when lower(trim({{ expr }})) in ('false', 'f', 'no', 'n', '0', '否', '×') then false
    end
{%- endmacro %}
