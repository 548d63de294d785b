{% macro crm_regexp_matches(expr, pattern) -%}
    {#- True when the text `expr` contains a match of the regular expression `pattern`
        (a plain string; write it without backslashes, e.g. [0-9] and [.], so that it means
        the same in every engine's string literal). -#}
    {{ return(adapter.dispatch('crm_regexp_matches', 'crmwh')(expr, pattern)) }}
{%- endmacro %}

{% macro default__crm_regexp_matches(expr, pattern) -%}
    regexp_like({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__crm_regexp_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__crm_regexp_matches(expr, pattern) -%}
    ({{ expr }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro spark__crm_regexp_matches(expr, pattern) -%}
    ({{ expr }} rlike '{{ pattern }}')
{%- endmacro %}
