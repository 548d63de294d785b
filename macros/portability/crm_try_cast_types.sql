{% macro crm_try_cast_types() -%}
    {#- The target types crm_try_cast supports on engines without try_cast. -#}
    {{ return(['bigint', 'integer', 'decimal(18, 2)', 'decimal(18, 4)', 'double precision', 'date',
        'timestamp', 'timestamptz']) }}
{%- endmacro %}
