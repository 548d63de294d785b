{% macro crm_try_cast(expr, data_type) -%}
    {{ return(adapter.dispatch('crm_try_cast', 'crmwh')(expr, data_type)) }}
{%- endmacro %}

{% macro default__crm_try_cast(expr, data_type) -%}
    try_cast({{ expr }} as {{ data_type }})
{%- endmacro %}
