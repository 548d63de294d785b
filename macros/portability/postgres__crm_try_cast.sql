{% macro postgres__crm_try_cast(expr, data_type) -%}
    {#- try_cast for PostgreSQL through the functions of crm_create_engine_functions. -#}
    {{ target.schema }}.{{ crm_try_cast_function(data_type) }}({{ expr }})
{%- endmacro %}
