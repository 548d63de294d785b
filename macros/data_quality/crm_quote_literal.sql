{% macro crm_quote_literal(value) -%}
    {#- `value` as an SQL string literal with its quotes escaped; `null` for none. -#}
    {{ return(adapter.dispatch('crm_quote_literal', 'crmwh')(value)) }}
{%- endmacro %}

{% macro default__crm_quote_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ (value | string).replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}

{% macro spark__crm_quote_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ (value | string).replace("\\", "\\\\").replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
