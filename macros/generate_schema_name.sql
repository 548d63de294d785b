{% macro generate_schema_name(custom_schema_name, node) -%}
    {#- Layers land in schemas named after them (staging, intermediate, marts, reference),
        not in <target_schema>_<layer>: BI tools see stable schema names. -#}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
